"""A connection PostgreSQL dropped between two requests (a restart, a failover,
pg_terminate_backend) is replaced before the next request's first query: CONN_HEALTH_CHECKS
(settings.py, issue 12 #6). Requests go through the WSGI handler itself: Django's test client
skips the per-request connection bookkeeping where the check happens."""

import io
import sys

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from qnwmh.accounts.domain import issue_api_token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connections"),
]


def _get(handler, path: str, token: str) -> int:
    status = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(response)
    response.close()
    return int(status[0].split()[0])


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 60


def test_the_request_after_the_connection_was_dropped_answers_200(world):
    token = issue_api_token(world.users["hunan"])
    handler = WSGIHandler()
    assert _get(handler, "/api/v1/collectives", token) == 200
    pid = connection.connection.info.backend_pid  # kept for the next request (CONN_MAX_AGE)
    _terminate(pid)
    assert _get(handler, "/api/v1/collectives", token) == 200
    assert connection.connection.info.backend_pid != pid
