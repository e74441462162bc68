"""Reading configuration from the environment: small helpers that fail loudly on bad values."""

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    pass


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name}={value!r} is not an integer") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envints(name: str, default: list[int]) -> list[int]:
    """A comma-separated list of non-negative integers, e.g. DEADLINE_REMINDER_DAYS=3,1."""
    try:
        values = [int(item) for item in envlist(name, [str(d) for d in default])]
    except ValueError as exc:
        raise ConfigError(f"{name}={os.environ.get(name)!r} is not a list of integers") from exc
    if any(value < 0 for value in values):
        raise ConfigError(f"{name}={os.environ.get(name)!r} has a negative number")
    return values


def local_secret_key(var_dir: Path) -> str:
    """A development secret generated once per checkout and kept out of git (var/ is ignored)."""
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
