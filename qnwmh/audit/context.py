"""Who is acting and from where, for the audit log, without threading `request` through the
domain. The middleware (pages) and the API auth (API) set it; commands and tasks leave it empty."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    ip: str = ""
    user_agent: str = ""
    channel: str = "system"  # web / api / system


_NO_REQUEST = RequestMeta()
_current: ContextVar[RequestMeta | None] = ContextVar("qnwmh_request_meta", default=None)


def current() -> RequestMeta:
    return _current.get() or _NO_REQUEST


def set_current(meta: RequestMeta):
    return _current.set(meta)


def reset(token) -> None:
    _current.reset(token)
