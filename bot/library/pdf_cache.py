"""PDFs read once: the blocks of a PDF kept by its content and by the code that read it.

A publish rebuilds the whole library, and reading a PDF's layout (pdfplumber, every character's
font and position) costs far more than embedding its passages. The result depends only on the
file's bytes and on the reading code, so it is kept under the sha256 of both: in this process's
memory, and as a file in the cache folder (`.cache/pdf/` beside the code, or `$BOT_CACHE_DIR/pdf/`)
so a restarted or second process does not read it again. Any change to the reading code changes
the key; a cache folder that cannot be written (a read-only image) only costs the time.
The cache holds only what the documents themselves say, never anything a user typed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from bot.config import PROJECT_ROOT

_CODE = ("extract.py", "pdf.py", "structure.py", "pdf_cache.py")
_MEMORY: OrderedDict[str, object] = OrderedDict()
_MEMORY_ITEMS = 32
_lock = threading.Lock()


def _code_hash() -> str:
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


CODE_HASH = _code_hash()


def cache_dir() -> Path:
    return Path(os.environ.get("BOT_CACHE_DIR") or PROJECT_ROOT / ".cache") / "pdf"


def cached(path: Path, read: Callable[[Path], object]):
    """`read(path)`, or what it returned before for the same bytes and the same code."""
    data = Path(path).read_bytes()
    key = hashlib.sha256(CODE_HASH.encode() + hashlib.sha256(data).digest()).hexdigest()
    with _lock:
        if key in _MEMORY:
            _MEMORY.move_to_end(key)
            return _MEMORY[key]
    stored = cache_dir() / f"{key}.pickle"
    result = None
    try:
        with open(stored, "rb") as handle:
            result = pickle.load(handle)  # written by this code, under a key made from this code
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        result = None
    if result is None:
        result = read(path)  # an unreadable PDF raises here, and nothing is kept
        try:
            stored.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".pdf-", dir=stored.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, stored)
        except OSError:
            pass
    with _lock:
        _MEMORY[key] = result
        while len(_MEMORY) > _MEMORY_ITEMS:
            _MEMORY.popitem(last=False)
    return result
