"""Library: from source files to cleaned documents and quotable passages.

The seeds manifest (`manifest`), text extraction (`extract`), cleaning by the manifest's rules
(`clean`), passages with exact spans (`passages`) and the whole library in one object (`corpus`).
No model, no index files. May import: `bot.config` only.
"""
