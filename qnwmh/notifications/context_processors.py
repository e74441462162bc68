from qnwmh.notifications import inbox


def unread_notifications(request):
    """`unread_notifications` for the page header: the signed-in user's unread count, read with
    one query when a template first asks for it and kept for the rest of the request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        if not hasattr(request, "_unread_notifications"):
            request._unread_notifications = inbox.unread_count(user)
        return request._unread_notifications

    return {"unread_notifications": count, "unread_cap": inbox.UNREAD_CAP}
