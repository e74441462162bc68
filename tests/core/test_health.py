"""/healthz: 200 "ok" when the database and (with REDIS_URL) Redis answer; 503 naming what
failed otherwise (qnwmh/core/health.py)."""

import pytest
import redis
from django.db import OperationalError

from qnwmh.core import health

# Nothing listens on port 1: a refused connection, at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _redis_answers(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def _refuse(*args, **kwargs):
    raise OperationalError("connection refused")


@pytest.mark.django_db
def test_healthz_ok_when_the_database_answers(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_503_names_the_database_when_it_fails(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(health.connections["default"], "cursor", _refuse)
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"database: failed\n")
    assert response["Content-Type"] == "text/plain"


@pytest.mark.django_db
def test_healthz_503_names_redis_when_it_is_configured_and_down(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"redis: failed\n")


@pytest.mark.django_db
def test_healthz_503_names_every_part_that_failed(client, settings, monkeypatch):
    settings.REDIS_URL = UNREACHABLE_REDIS
    monkeypatch.setattr(health.connections["default"], "cursor", _refuse)
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"database: failed\nredis: failed\n")


def test_healthz_does_not_check_redis_without_redis_url(settings):
    settings.REDIS_URL = ""
    assert list(health.checks()) == ["database"]


@pytest.mark.django_db
def test_healthz_ok_with_a_redis_that_answers(client, settings):
    url = "redis://127.0.0.1:6379/15"
    if not _redis_answers(url):
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.REDIS_URL = url
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_health_failure_is_logged_with_its_error_but_not_answered(client, settings, caplog):
    settings.REDIS_URL = UNREACHABLE_REDIS
    response = client.get("/healthz")
    assert response.content == b"redis: failed\n"
    assert "health check: redis failed" in caplog.text
    assert "ConnectionError" in caplog.text
