"""Factories of cycles and of the rows progress counts (collectives, registrations)."""

import datetime

import factory

from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.registrations.enums import RegistrationState
from qnwmh.registrations.models import Registration
from qnwmh.units.enums import Line
from tests.registrations.counting import create_counted, create_titled
from tests.titles import factories as titles


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    # Starts far above real years so it never meets a name a test spells out (2025—2026…).
    name = factory.Sequence(lambda n: f"{3000 + n}—{3001 + n}年度测试届次")
    level = Level.NATIONAL
    unit = None  # required: pass the organising unit
    registration_opens = datetime.date(2025, 1, 1)
    registration_closes = datetime.date(2026, 12, 31)
    prior_title_levels = factory.LazyAttribute(lambda o: ["NATIONAL", "PROVINCIAL"])


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    cycle = None
    unit = None
    required_registrations = 5
    evaluation_quota = 1


class CollectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collective

    code = factory.Sequence(lambda n: f"T{n:07d}")
    name = factory.Sequence(lambda n: f"测试集体{n}")
    name_key = factory.LazyAttribute(lambda o: o.name)
    unit = None
    unit_path = factory.LazyAttribute(lambda o: o.unit.path)
    line = Line.REGION
    ownership = Ownership.PUBLIC


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Counted on the dashboard like a registration the domain creates.
        return create_counted(super()._create, model_class, *args, **kwargs)

    cycle = None
    unit = None
    collective = factory.LazyAttribute(lambda o: CollectiveFactory(unit=o.unit))
    unit_path = factory.LazyAttribute(lambda o: o.unit.path)
    state = RegistrationState.SUBMITTED
    ownership = ""
    prior_titles = factory.LazyFunction(list)


class TitleFactory(titles.TitleFactory):
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A title changes the previous-title count of the collective's registrations.
        return create_titled(super()._create, model_class, *args, **kwargs)

    collective = None
    level = Level.PROVINCIAL
    year = 2020
