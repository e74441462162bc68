"""The hash of an audit entry: SHA-256 over a canonical JSON of its content and the hash of the
entry before it, so changing, removing or reordering any entry breaks the chain from there on.

The canonical form must give the same bytes for the values written and the values read back,
on SQLite and on PostgreSQL (whose jsonb rewrites numbers: 1e300 comes back as a long integer),
and must never change once entries exist: a new form needs a new `FORMAT` and a branch below.
"""

import datetime
import hashlib
import json
from collections.abc import Mapping
from decimal import Context, Decimal
from typing import Any

FORMAT = 1
_PRECISE = Context(prec=4000)  # normalize() must not round away the digits of a large number
GENESIS = ""  # the prev_hash of the first entry ever written

# The columns the hash covers, in the entry's own words. `id` is left out on purpose: `seq` is
# the position in the chain, and a restored database may hand out ids of its own.
CONTENT_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_unit_name",
    "scope_path",
    "ip",
    "user_agent",
    "channel",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "prev_hash",
)


def _number(value: int | float | Decimal) -> str:
    """One spelling per number value: 1, 1.0 and 1E+0 all become "1"."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return json.dumps(str(value))
        value = Decimal(repr(value))
    normalized = Decimal(value).normalize(_PRECISE)
    return str(normalized) if normalized != 0 else "0"


def _encode(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime.datetime):
        return json.dumps(_timestamp(value))
    if isinstance(value, Mapping):
        items = sorted((str(key), item) for key, item in value.items())
        return "{" + ",".join(f"{_encode(key)}:{_encode(item)}" for key, item in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    raise TypeError(f"cannot hash a {type(value).__name__} in an audit entry")


def _timestamp(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit times are aware datetimes")
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: Mapping[str, Any]) -> bytes:
    """The bytes the hash is taken over: the content fields, sorted, in canonical JSON."""
    fields = {name: content[name] for name in CONTENT_FIELDS}
    fields["format"] = FORMAT
    return _encode(fields).encode("utf-8")


def entry_hash(content: Mapping[str, Any]) -> str:
    """Hex SHA-256 of an entry's content and its prev_hash."""
    return hashlib.sha256(canonical(content)).hexdigest()
