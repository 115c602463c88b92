"""Settings for a developer's or newcomer's machine: no configuration needed."""

import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR, SECRET_KEY


def _local_secret_key():
    """Keep one random key per checkout so sessions survive restarts."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()
