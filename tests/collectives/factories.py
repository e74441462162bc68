"""Factories of collectives: keys computed by the same functions as the domain."""

import factory

from qnwmh.accounts.enums import AccountKind
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.collectives.names import loose_key, name_key
from qnwmh.units.enums import Line
from tests.factories import UserFactory
from tests.titles.factories import TitleFactory  # noqa: F401 (as before the move)


class CollectiveFactory(factory.django.DjangoModelFactory):
    """A collective with a login (username = code, password set by its holder)."""

    class Meta:
        model = Collective

    code = factory.Sequence(lambda n: f"{5100000000 + n}")
    name = factory.Sequence(lambda n: f"测试集体第{n}班组")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    loose_key = factory.LazyAttribute(lambda o: loose_key(o.name))
    unit = None  # required
    unit_path = factory.LazyAttribute(lambda o: o.unit.path)
    line = Line.REGION
    ownership = Ownership.PUBLIC
    user = factory.LazyAttribute(
        lambda o: UserFactory(
            username=o.code, kind=AccountKind.COLLECTIVE, unit=o.unit, display_name=o.name
        )
    )


class FrozenCollectiveFactory(CollectiveFactory):
    """A legacy record that came in frozen: no ownership, an unusable code replaced."""

    data_ok = False
    ownership = ""
    frozen_reasons = factory.LazyFunction(
        lambda: ["原编码不可用：编码 HN-1 不是 4–20 位字母或数字；已分配新编码。", "缺少性质。"]
    )
    legacy_source = "old.csv 第3行"
    user = factory.LazyAttribute(
        lambda o: UserFactory(
            username=o.code, kind=AccountKind.COLLECTIVE, unit=o.unit, is_active=False
        )
    )


class FormerNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormerName

    collective = None
    name = factory.Sequence(lambda n: f"旧名称第{n}班组")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    loose_key = factory.LazyAttribute(lambda o: loose_key(o.name))
