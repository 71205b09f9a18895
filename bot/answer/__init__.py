"""Answer: from a question to the answer object.

The engine (`engine`), coverage, composition of quotes and citations, triage, escalation and the
loader of `prompts/`. May import: `bot.config`, `bot.library`, `bot.search`.
"""
