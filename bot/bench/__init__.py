"""Benchmark programs, apart from the product: `python -m bot.bench.answer`, `.http`, `.scale`,
`.haystack`.

May import every stage except `bot.web` (the HTTP benchmark starts the server as its own
process). Nothing imports this stage.
"""
