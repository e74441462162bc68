"""我的通知: the inbox page and the header's unread count, for every kind of account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qnwmh.notifications.models import Notification
from tests.notifications.factories import NotificationFactory
from tests.registrations.factories import CollectiveFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = ["hunan", "wuling", "hunan_security", "judge", "collective"]


def _user(world, key):
    if key == "collective":
        return CollectiveFactory(unit=world.wuling).user
    return world.users[key]


@pytest.mark.parametrize("key", ACCOUNTS)
def test_every_account_has_an_inbox_with_its_count_in_the_header(world, login_as, key):
    user = _user(world, key)
    NotificationFactory(recipient=user, subject="报备被退回")
    NotificationFactory(recipient=user, subject="已读的通知", read_at="2026-01-01T00:00:00Z")
    NotificationFactory(recipient=world.users["guangdong"], subject="别人的通知")
    page = login_as(user).get("/notifications/").content.decode()
    assert '<a class="inbox-link" href="/notifications/" aria-label="通知，1 条未读">' in page
    assert '通知 <span class="badge">1</span></a>' in page
    assert "报备被退回" in page and "已读的通知" in page
    assert "别人的通知" not in page
    assert page.count('<span class="badge warn">未读</span>') == 1


def test_the_header_shows_no_count_without_unread(world, login_as):
    page = login_as(world.users["hunan"]).get("/").content.decode()
    assert '<a class="inbox-link" href="/notifications/">通知</a>' in page


def test_the_header_caps_a_large_count(world, login_as, monkeypatch):
    monkeypatch.setattr("qnwmh.notifications.inbox.UNREAD_CAP", 2)
    user = world.users["hunan"]
    NotificationFactory.create_batch(3, recipient=user)
    page = login_as(user).get("/").content.decode()
    assert 'aria-label="通知，超过 2 条未读">通知 <span class="badge">2+</span>' in page


def test_anonymous_is_sent_to_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_each_notification_links_to_its_page(world, login_as):
    user = world.users["hunan"]
    NotificationFactory(recipient=user, subject="待审核", url="/registrations/queue/")
    page = login_as(user).get("/notifications/").content.decode()
    assert '<a href="/registrations/queue/">待审核</a>' in page


def test_unread_filter_lists_only_unread(world, login_as):
    user = world.users["hunan"]
    NotificationFactory(recipient=user, subject="未读的")
    NotificationFactory(recipient=user, subject="读过的", read_at="2026-01-01T00:00:00Z")
    page = login_as(user).get("/notifications/?unread=1").content.decode()
    assert "未读的" in page and "读过的" not in page


def test_newest_first_and_paginated(world, login_as):
    user = world.users["hunan"]
    for n in range(3):
        NotificationFactory(recipient=user, subject=f"第{n}条")
    page = login_as(user).get("/notifications/?page_size=2").content.decode()
    assert page.index("第2条") < page.index("第1条")
    assert "第0条" not in page
    assert "共 3 条" in page


def test_mark_one_read_returns_to_the_same_list(world, login_as):
    user = world.users["hunan"]
    notification = NotificationFactory(recipient=user)
    response = login_as(user).post(
        f"/notifications/{notification.pk}/read/", {"page": "2", "unread": "1"}
    )
    assert (response.status_code, response.url) == (302, "/notifications/?page=2&unread=1")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_of_another_users_notification_is_404(world, login_as):
    notification = NotificationFactory(recipient=world.users["changde"])
    response = login_as(world.users["hunan"]).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_is_post_only(world, login_as):
    user = world.users["hunan"]
    notification = NotificationFactory(recipient=user)
    assert login_as(user).get(f"/notifications/{notification.pk}/read/").status_code == 405


def test_mark_all_read(world, login_as):
    user = world.users["hunan"]
    NotificationFactory.create_batch(2, recipient=user)
    client = login_as(user)
    response = client.post("/notifications/read-all/")
    assert (response.status_code, response.url) == (302, "/notifications/?page=1")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    page = client.get(response.url).content.decode()
    assert "已将 2 条通知标为已读。" in page
    assert '<a class="inbox-link" href="/notifications/">通知</a>' in page


def test_the_email_form_shows_only_when_email_is_configured(world, login_as, settings):
    client = login_as(world.users["hunan"])
    assert "接收通知的电子邮箱" not in client.get("/notifications/").content.decode()
    settings.NOTIFICATIONS_EMAIL = True
    assert "接收通知的电子邮箱" in client.get("/notifications/").content.decode()


def test_save_an_email_address(world, login_as, settings):
    settings.NOTIFICATIONS_EMAIL = True
    user = world.users["hunan"]
    response = login_as(user).post("/notifications/email/", {"email": "hunan@example.cn"})
    assert (response.status_code, response.url) == (302, "/notifications/")
    user.refresh_from_db()
    assert user.email == "hunan@example.cn"


def test_an_invalid_email_address_is_shown_on_the_form(world, login_as, settings):
    settings.NOTIFICATIONS_EMAIL = True
    user = world.users["hunan"]
    response = login_as(user).post("/notifications/email/", {"email": "不是邮箱"})
    assert response.status_code == 200
    assert 'class="field has-error"' in response.content.decode()
    user.refresh_from_db()
    assert user.email == ""


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notifications/?page_size=50").status_code == 200
    return len(queries)


def test_list_page_query_count_does_not_grow_with_the_page(world, login_as):
    user = world.users["hunan"]
    client = login_as(user)
    NotificationFactory(recipient=user)
    client.get("/notifications/")  # the first page after login notes the session
    one = _page_queries(client)
    NotificationFactory.create_batch(30, recipient=user)
    NotificationFactory.create_batch(5, recipient=user, read_at="2026-01-01T00:00:00Z")
    assert _page_queries(client) == one
