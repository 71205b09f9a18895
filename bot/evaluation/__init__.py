"""Evaluation: `python -m bot eval` on the labelled set or a BEIR folder.

The labelled question set, BEIR loading, metrics, reports, published reference figures, latency
percentiles and the embedding cache. May import: `bot.config`, `bot.library`, `bot.search`,
`bot.answer` (never `bot.web`).
"""
