"""API v1: GET /me/notifications, POST /me/notifications/{id}/read, POST
/me/notifications/read-all (../shared/API.md)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.audit.models import AuditEntry
from qnwmh.notifications.models import Notification
from tests.notifications.factories import NotificationFactory
from tests.registrations.factories import CollectiveFactory

pytestmark = pytest.mark.django_db


def _ms(value: datetime.datetime) -> str:
    """A time as the API writes it: ISO 8601 in UTC, to the millisecond."""
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_list_has_the_documented_shape(world, api_client):
    user = world.users["hunan"]
    row = NotificationFactory(recipient=user, subject="报备被退回", body="人数不足", url="/x/")
    body = api_client.as_user(user).get("/me/notifications").json()
    assert body == {
        "count": 1,
        "results": [
            {
                "id": row.pk,
                "kind": "test.message",
                "subject": "报备被退回",
                "body": "人数不足",
                "url": "/x/",
                "created_at": _ms(row.created_at),
                "read_at": None,
                "occurrences": 1,
            }
        ],
    }


def test_list_is_ones_own_newest_first_and_paged(world, api_client):
    user = world.users["wuling"]
    rows = [NotificationFactory(recipient=user) for _ in range(3)]
    NotificationFactory(recipient=world.users["changde"])
    body = api_client.as_user(user).get("/me/notifications", {"page": 2, "page_size": 2}).json()
    assert body["count"] == 3
    assert [r["id"] for r in body["results"]] == [rows[0].pk]


def test_unread_filter(world, api_client):
    user = world.users["judge"]
    unread = NotificationFactory(recipient=user)
    NotificationFactory(recipient=user, read_at="2026-01-01T00:00:00Z")
    body = api_client.as_user(user).get("/me/notifications", {"unread": "true"}).json()
    assert (body["count"], [r["id"] for r in body["results"]]) == (1, [unread.pk])


def test_page_size_above_the_limit_is_refused(world, api_client):
    response = api_client.as_user(world.users["hunan"]).get("/me/notifications", {"page_size": 201})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_read_marks_and_returns_the_notification(world, api_client):
    user = CollectiveFactory(unit=world.wuling).user
    row = NotificationFactory(recipient=user)
    response = api_client.as_user(user).post(f"/me/notifications/{row.pk}/read")
    assert response.status_code == 200
    row.refresh_from_db()
    assert response.json()["read_at"] == _ms(row.read_at)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.channel, entry.object_id) == (
        "notification.read",
        "api",
        str(row.pk),
    )


def test_read_of_another_users_notification_is_404(world, api_client):
    row = NotificationFactory(recipient=world.users["changde"])
    response = api_client.as_user(world.users["hunan"]).post(f"/me/notifications/{row.pk}/read")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Notification.objects.get().read_at is None
    assert AuditEntry.objects.count() == 0


def test_read_all(world, api_client):
    user = world.users["hunan"]
    NotificationFactory.create_batch(2, recipient=user)
    response = api_client.as_user(user).post("/me/notifications/read-all")
    assert response.json() == {"marked": 2}
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_anonymous_is_401(client):
    response = client.get("/api/v1/me/notifications")
    assert response.status_code == 401


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/me/notifications", {"page_size": 200}).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_page(world, api_client):
    user = world.users["hunan"]
    client = api_client.as_user(user)
    NotificationFactory(recipient=user)
    one = _list_queries(client)
    NotificationFactory.create_batch(40, recipient=user)
    assert _list_queries(client) == one
