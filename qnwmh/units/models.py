from django.db import models
from django.utils.translation import gettext_lazy as _

from qnwmh.core import paths
from qnwmh.core.scoping import ANY_ADMIN, Scope, ScopedQuerySet
from qnwmh.units.enums import Line, Tier


class UnitQuerySet(ScopedQuerySet):
    # An admin account of any role sees its own unit's subtree.
    scope = Scope(path="path", roles=ANY_ADMIN)

    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        return self.within(unit.path)


class Unit(models.Model):
    """活动管理单位 / 团委: a node of the region or industry tree (seeds 000 附件3)."""

    name = models.CharField(_("name"), max_length=100)
    line = models.CharField(_("line"), max_length=16, choices=Line.choices)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    # Digit-only materialized path, see core/paths.py. Unique, so it carries a btree index.
    path = models.CharField(max_length=80, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("managing unit")
        verbose_name_plural = _("managing units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_per_parent"),
            models.CheckConstraint(
                condition=models.Q(tier__gte=0, tier__lte=3), name="unit_tier_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return paths.depth(self.path)

    def contains(self, other: "Unit") -> bool:
        """True when `other` is this unit or lies below it."""
        return paths.is_within(other.path, self.path)

    def ancestors(self) -> models.QuerySet["Unit"]:
        return Unit.objects.filter(path__in=paths.ancestor_paths(self.path)).order_by("path")
