"""API v1 of the inbox (../shared/API.md: `GET /api/v1/me/notifications`,
`POST /api/v1/me/notifications/{id}/read`), mounted at /me/notifications. Any signed-in
account, on its own notifications only: another user's id is 404, as a missing one. The
writes are inbox.py's, as on the page (audited there)."""

from datetime import datetime

from ninja import Path, Query, Router, Schema
from pydantic import Field

from qnwmh.core.api import ERRORS, Id, PageNumber, page_out
from qnwmh.core.pagination import MAX_PAGE_SIZE, api_page
from qnwmh.notifications import inbox

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    url: str
    created_at: datetime = Field(description="when it came (the latest, if it came repeatedly)")
    read_at: datetime | None
    occurrences: int = Field(description="how many messages it stands for (coalesced)")


NotificationPage = page_out(NotificationOut, "NotificationPage")


class NotificationFilter(Schema):
    unread: bool = Field(False, description="only the unread ones")
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class ReadAllOut(Schema):
    marked: int


@router.get("", response={200: NotificationPage, **ERRORS})
def list_notifications(request, filters: Query[NotificationFilter]):
    """The caller's notifications, newest first."""
    rows = inbox.of(request.user, unread_only=filters.unread)
    return api_page(rows, filters.page, filters.page_size)


@router.post("/{int:notification_id}/read", response={200: NotificationOut, **ERRORS})
def read_notification(request, notification_id: Path[Id]):
    """Mark one read (again: no change)."""
    return inbox.mark_read(request.user, notification_id)


@router.post("/read-all", response={200: ReadAllOut, **ERRORS})
def read_all_notifications(request):
    """Mark every unread one read; `marked` is how many were."""
    return {"marked": inbox.mark_all_read(request.user)}
