"""Logged-in clients for the figures: the pages through Django's test Client (the whole
middleware stack, sessions and templates), the API with a bearer token."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qnwmh.accounts.domain import issue_api_token, sessions
from qnwmh.accounts.middleware import PROMPT_SHOWN_KEY

# Tables whose queries are the list, search and dashboard SQL a figure compares; queries of
# sessions, accounts and single units are the request's own overhead.
DATA_TABLES = (
    '"collectives_collective"',
    '"collectives_formername"',
    '"collectives_title"',
    '"registrations_registration"',
    '"registrations_transition"',
    '"cycles_quota"',
)


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    sessions.start(user, session)
    session[PROMPT_SHOWN_KEY] = True
    session.save()
    return client


class ApiClient:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {issue_api_token(user)}"}

    def get(self, url: str):
        return self.client.get(url, headers=self.headers)


def fetch(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


def data_queries(client, url: str) -> list[str]:
    """The data SQL a page or endpoint emits, exactly as sent to the database."""
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith("SELECT")
        and any(table in query["sql"] for table in DATA_TABLES)
    ]
