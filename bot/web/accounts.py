"""Admin accounts and the app's secret, kept in the instance folder (never in git).

Passwords are stored only as werkzeug scrypt hashes; a sign-in for an unknown name still runs one
hash check, so the time taken does not tell which names exist.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

USERS_FILE = "admins.json"
SECRET_FILE = "secret_key"
MIN_PASSWORD = 12
_NAME = re.compile(r"^[A-Za-z0-9._-]{2,40}$")
_DUMMY = generate_password_hash("not a real password", method="scrypt")


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    os.chmod(tmp, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def secret_key(instance: Path) -> str:
    """The session-signing secret, generated on first use and kept readable by its owner only."""
    path = instance / SECRET_FILE
    if not path.is_file():
        _write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def load_users(instance: Path) -> dict[str, str]:
    path = instance / USERS_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_users(instance: Path, users: dict[str, str]) -> None:
    _write_private(instance / USERS_FILE, json.dumps(users, indent=1, sort_keys=True) + "\n")


def _checked_hash(name: str, password: str) -> str:
    if not _NAME.match(name):
        raise AccountError("the name may use 2 to 40 letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    return generate_password_hash(password, method="scrypt")


# The same operations on any store (bot/web/store.py): the admin pages use these.

def create_account(store, name: str, password: str) -> None:
    """A new account, or a new password for an existing one (the CLI's add-user)."""
    store.put_user(name, _checked_hash(name, password))


def check_account(store, name: str, password: str) -> bool:
    stored = store.users().get(name)
    if stored is None:
        check_password_hash(_DUMMY, password)
        return False
    return check_password_hash(stored, password)


def change_password(store, name: str, password: str) -> None:
    if name not in store.users():
        raise AccountError("there is no such account")
    create_account(store, name, password)


def remove_account(store, name: str) -> None:
    if not store.remove_user(name):
        raise AccountError("there is no such account")


# The instance folder's accounts (a one-school install, the command line).

def _files(instance: Path):
    from bot.web.store import FileStore

    return FileStore(Path(instance))


def add_user(instance: Path, name: str, password: str) -> None:
    create_account(_files(instance), name, password)


