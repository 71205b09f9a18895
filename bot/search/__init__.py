"""Search: ranking passages for a question.

Analyzer, BM25, the embedder, the dense retriever, fusion and the hybrid retriever, all returning
ranked `Hit`s, plus the index build and load (`index`). May import: `bot.config`, `bot.library`.
"""
