"""Factories of this app's tests: cycles, collectives (with their login), titles and
registrations. Built here so these tests do not wait on the cycles and collectives apps."""

import datetime

import factory

from qnwmh.accounts.enums import AccountKind
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
from qnwmh.registrations.eligibility import today_in_shanghai
from qnwmh.registrations.enums import RegistrationState
from qnwmh.registrations.models import Registration, Transition
from qnwmh.units.enums import Line
from tests.factories import UserFactory
from tests.registrations.counting import create_counted, create_titled
from tests.titles import factories as titles


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = today_in_shanghai()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


class CycleFactory(factory.django.DjangoModelFactory):
    """A cycle open today, with the default rule settings and no prior title required."""

    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"{5000 + n}—{5001 + n}年度测试届次")
    level = Level.PROVINCIAL
    unit = None  # the organising unit: pass it
    registration_opens = factory.LazyFunction(
        lambda: today_in_shanghai() - datetime.timedelta(days=30)
    )
    registration_closes = factory.LazyFunction(
        lambda: today_in_shanghai() + datetime.timedelta(days=30)
    )
    prior_title_levels = factory.LazyFunction(list)


class CollectiveFactory(factory.django.DjangoModelFactory):
    """A collective and its login: a COLLECTIVE account, username = code, unit = jurisdiction."""

    class Meta:
        model = Collective

    code = factory.Sequence(lambda n: f"rt{n:06d}")
    name = factory.Sequence(lambda n: f"测试集体{n}")
    name_key = factory.LazyAttribute(lambda o: o.name)
    unit = None  # the jurisdiction: pass it
    unit_path = factory.LazyAttribute(lambda o: o.unit.path)
    line = Line.REGION
    ownership = Ownership.PUBLIC
    user = factory.LazyAttribute(
        lambda o: UserFactory(
            username=o.code, display_name=o.name, kind=AccountKind.COLLECTIVE, unit=o.unit
        )
    )


class FormerNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormerName

    collective = None
    name = factory.Sequence(lambda n: f"曾用名{n}")
    name_key = factory.LazyAttribute(lambda o: o.name)


class TitleFactory(titles.TitleFactory):
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # A title changes the previous-title count of the collective's registrations.
        return create_titled(super()._create, model_class, *args, **kwargs)

    collective = None
    level = Level.CITY
    year = 2024
    name = "常德市青年文明号"


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A complete profile and plan that passes every default rule."""

    class Meta:
        model = Registration

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Counted on the dashboard like a registration the domain creates.
        return create_counted(super()._create, model_class, *args, **kwargs)

    cycle = None
    collective = None
    unit = factory.LazyAttribute(lambda o: o.collective.unit)
    unit_path = factory.LazyAttribute(lambda o: o.collective.unit_path)
    state = RegistrationState.DRAFT
    member_count = 20
    youth_count = 12
    leader_name = "张青"
    leader_birth_date = factory.LazyFunction(lambda: years_ago(30))
    ownership = Ownership.PUBLIC
    industry = "卫生健康"
    phone = "0736-1234567"
    prior_titles = factory.LazyFunction(list)
    goals = "争创全国青年文明号"
    measures = "建立青年岗位能手制度"
    commitment = "服务承诺：群众满意"


class TransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transition

    registration = None
    from_state = RegistrationState.DRAFT
    to_state = RegistrationState.SUBMITTED


def valid_profile(**overrides) -> dict:
    profile = {
        "member_count": 20,
        "youth_count": 12,
        "leader_name": "张青",
        "leader_birth_date": years_ago(30),
        "ownership": "PUBLIC",
        "industry": "卫生健康",
        "phone": "0736-1234567",
        "address": "常德市武陵区",
        "prior_titles": [],
    }
    return {**profile, **overrides}


def valid_plan(**overrides) -> dict:
    return {
        "goals": "争创青年文明号",
        "measures": "青年突击队",
        "commitment": "群众满意",
        **overrides,
    }
