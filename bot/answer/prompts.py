"""Reading the reviewable files in `prompts/`: one error type, one message shape.

Every file there is checked when the assistant starts; a problem stops it with one line that
names the file and the entry, so nobody is ever shown a half-loaded contact list or rule set.
"""

from __future__ import annotations

import tomllib
from pathlib import Path


class PromptsError(ValueError):
    """A prompts file is missing, not valid TOML, or breaks its rules; the message says where."""


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromptsError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PromptsError(f"{path}: not valid TOML ({exc})") from None
