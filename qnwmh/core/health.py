"""What /healthz checks: can this app server reach what a request needs? The database always,
Redis (cache, Celery broker) when REDIS_URL is set. A load balancer takes a server that answers
503 out of rotation (docs/deploy.md, "Health checks").

Each check is one round trip with a short timeout, so a probe every few seconds costs nothing and
a hung dependency fails the probe instead of hanging it. Only the part's name and "failed" go out
(the probe is public); the error itself goes to the log.
"""

import logging
from functools import cache

import redis
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )


def check_redis() -> None:
    if not _redis_client(settings.REDIS_URL).ping():
        raise redis.ConnectionError("PING was not answered with PONG")


def checks() -> dict:
    """The parts this server depends on, by name, each with its check."""
    parts = {"database": check_database}
    if settings.REDIS_URL:
        parts["redis"] = check_redis
    return parts


def failed_parts() -> list[str]:
    """The names of the parts whose check failed, in order; empty when all is well."""
    failed = []
    for name, check in checks().items():
        try:
            check()
        except Exception:
            logger.exception("health check: %s failed", name)
            failed.append(name)
    return failed
