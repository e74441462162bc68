from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """Only the recipient sees a notification (站内通知 are personal)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> "NotificationQuerySet":
        return self.order_by("-created_at", "-id")


class Notification(models.Model):
    """站内通知: one thing one user is told, in the inbox until read.

    A notification with a `coalesce_key` stands for every message of that key that came while it
    was unread: `occurrences` counts them and `created_at` is the latest (domain.deliver)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # the inbox indexes below begin with it
    )
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    coalesce_key = models.CharField(max_length=200, blank=True, default="")
    occurrences = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("time"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox page: my notifications, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="inbox"),
            # The header's unread count and "unread only": a small index of the unread rows.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="inbox_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]
        constraints = [
            # Coalescing: at most one unread notification per recipient and key, so two
            # deliveries racing for the same reviewer cannot both add one.
            models.UniqueConstraint(
                fields=["recipient", "coalesce_key"],
                name="inbox_one_unread_per_key",
                condition=models.Q(read_at__isnull=True) & ~models.Q(coalesce_key=""),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Reminder(models.Model):
    """What was reminded: one row per recipient and reminder key, so a reminder job that runs
    every hour tells each person once. The key names what it is about, e.g.
    "registration.deadline:<cycle>:<deadline>:<days before>": a moved deadline is a new key,
    hence a new reminder (registrations/reminders.py)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="reminder_once_per_key"),
        ]

    def __str__(self) -> str:
        return self.key
