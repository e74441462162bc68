from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qnwmh.audit import hashing
from qnwmh.core.roles import AdminRole
from qnwmh.core.scoping import Scope, ScopedQuerySet

# The key of the PostgreSQL advisory lock that serializes appends to the chain (any constant
# no other code uses; these are the bytes of "qnwmh-au").
CHAIN_LOCK_KEY = 0x716E776D682D6175


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit log is append-only")

    def delete(self):
        raise AppendOnlyError("the audit log is append-only")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are appended one by one (audit.domain.record)")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("the audit log is append-only")


class AuditEntryQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    # The audit administrator (审计管理员) reads the audit of its own unit's subtree; no other
    # account reads any (三权分立, docs/decisions/008-separated-admin-roles.md).
    scope = Scope(path="scope_path", roles=frozenset({AdminRole.AUDIT}))


class AuditEntry(models.Model):
    """One write, as 等保 asks: who, their unit, when, from where, what object, which action,
    and the before/after of the changed fields. Append-only: never updated, never deleted
    (only archived, see archive.py), and chained: each entry holds the hash of the one before
    it (docs/decisions/004-audit-chain.md)."""

    # Set before the hash is taken (auto_now_add would set it later, after hashing).
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(_("operator"), max_length=150, blank=True)
    actor_unit_name = models.CharField(_("operator's unit"), max_length=100, blank=True)
    # The unit subtree the entry belongs to: who may read it.
    scope_path = models.CharField(max_length=80, blank=True)
    ip = models.CharField(_("address"), max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # The chain: 1, 2, 3… without gaps, and the hashes linking each entry to the one before.
    seq = models.BigIntegerField(_("sequence number"), unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["scope_path", "at"], name="audit_scope_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs):
        """Append the entry at the end of the chain. Appends are serialized: an advisory lock on
        PostgreSQL (several app servers write at once), the write transaction itself on SQLite
        (BEGIN IMMEDIATE). The lock is held until the surrounding transaction commits."""
        if self.pk is not None:
            raise AppendOnlyError("the audit log is append-only")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            lock_chain(using)
            last_seq, last_hash = chain_tail(using)
            self.seq, self.prev_hash = last_seq + 1, last_hash
            self.entry_hash = hashing.entry_hash(self.content())
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit log is append-only")

    def content(self) -> dict:
        """The fields the entry's hash covers."""
        return {name: getattr(self, name) for name in hashing.CONTENT_FIELDS}


class ArchiveCheckpoint(models.Model):
    """审计归档点: the entries up to `last_seq` were written to an archive file and removed from
    the table. The oldest remaining entry must continue the chain from `last_hash`."""

    created_at = models.DateTimeField(_("archived at"), default=timezone.now)
    before = models.DateField(_("entries before"))
    entry_count = models.PositiveIntegerField(_("entries"))
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField(unique=True)
    first_prev_hash = models.CharField(max_length=64, blank=True)
    last_hash = models.CharField(max_length=64)
    file_name = models.CharField(_("archive file"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["last_seq"]

    def __str__(self) -> str:
        return f"{self.first_seq}–{self.last_seq} {self.file_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("archive checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("archive checkpoints are append-only")


def lock_chain(using: str) -> None:
    """Serialize appends to the chain until the current transaction ends."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    # SQLite: Django opens write transactions with BEGIN IMMEDIATE (settings.DATABASES), which
    # already holds the database's single write lock.


def chain_tail(using: str) -> tuple[int, str]:
    """(seq, hash) of the newest entry, or of the newest archive checkpoint when every entry has
    been archived, or (0, GENESIS) for an empty log."""
    last = AuditEntry.objects.using(using).order_by("-seq").values_list("seq", "entry_hash").first()
    if last is None:
        last = (
            ArchiveCheckpoint.objects.using(using)
            .order_by("-last_seq")
            .values_list("last_seq", "last_hash")
            .first()
        )
    return last or (0, hashing.GENESIS)
