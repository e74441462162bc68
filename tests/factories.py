"""Factories: build data through the same path rules as the domain."""

import factory

from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.models import User
from qnwmh.core import paths
from qnwmh.units.enums import Line, Tier
from qnwmh.units.models import Unit

DEFAULT_PASSWORD = "Qnwmh-test-Pw1"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")
    line = Line.REGION
    tier = factory.LazyAttribute(lambda o: (o.parent.tier + 1) if o.parent else Tier.NATIONAL)
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        unit = model_class(*args, **kwargs)
        unit.path = f"tmp-{id(unit)}"
        unit.save()
        unit.path = (unit.parent.path if unit.parent else "") + paths.segment(unit.pk)
        Unit.objects.filter(pk=unit.pk).update(path=unit.path)
        return unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    kind = AccountKind.ADMIN
    # Admins do the domain work unless a test names another role (三权分立).
    admin_role = factory.LazyAttribute(
        lambda o: AdminRole.BUSINESS if o.kind == AccountKind.ADMIN else ""
    )
    unit = factory.SubFactory(UnitFactory)
    must_change_password = False

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class AdminFactory(UserFactory):
    kind = AccountKind.ADMIN
