"""Safeguarding guidance assistant: verbatim, cited answers from vetted guidance documents."""

__version__ = "0.1.0"
