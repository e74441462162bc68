"""The national data generator at a tiny size: consistent paths, keys, accounts, states and
history; reproducible from its seed; refuses a database that already has data."""

import io
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from bench.generate import generate
from bench.tree import build_tree, level_sizes
from qnwmh.accounts.enums import AccountKind
from qnwmh.accounts.models import TwoFactor, User
from qnwmh.collectives.codes import is_valid_code
from qnwmh.collectives.models import Collective, FormerName
from qnwmh.collectives.names import loose_key, name_key
from qnwmh.core import paths
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.registrations.enums import RegistrationState
from qnwmh.registrations.models import Registration, Transition
from qnwmh.titles.models import Title
from qnwmh.units.enums import Line
from qnwmh.units.models import Unit

pytestmark = pytest.mark.django_db

UNITS, COLLECTIVES = 40, 300


def _quiet(_line: str) -> None:
    return None


@pytest.fixture
def generated():
    return generate(units=UNITS, collectives=COLLECTIVES, seed=3, out=_quiet)


def test_level_sizes_add_up_to_the_requested_units():
    for total in (7, 40, 5_000, 50_000):
        first, second, third = level_sizes(total)
        assert 1 + first + second + third == total


def test_level_sizes_national_scale_has_every_province_and_many_counties():
    assert level_sizes(50_000) == (70, 1_835, 48_094)


def test_build_tree_same_seed_gives_same_tree():
    first = [(u.id, u.name, u.path) for u in build_tree(random.Random(7), 500)]
    again = [(u.id, u.name, u.path) for u in build_tree(random.Random(7), 500)]
    other = [(u.id, u.name, u.path) for u in build_tree(random.Random(8), 500)]
    assert first == again
    assert first != other


def test_generate_units_paths_follow_the_path_rule(generated):
    units = {u.pk: u for u in Unit.objects.all()}
    assert len(units) == UNITS
    for unit in units.values():
        parent_path = units[unit.parent_id].path if unit.parent_id else ""
        assert unit.path == parent_path + paths.segment(unit.pk)
        assert unit.tier == paths.depth(unit.path) - 1
    depths = {(u.line, u.tier) for u in units.values() if u.tier > 0}
    assert depths == {(line, tier) for line in Line.values for tier in (1, 2, 3)}
    assert generated.rows["units.Unit"] == UNITS


def test_generate_one_admin_per_unit_and_one_login_per_collective(generated):
    admins = User.objects.filter(kind=AccountKind.ADMIN)
    assert sorted(admins.values_list("unit_id", flat=True)) == list(range(1, UNITS + 1))
    assert User.objects.filter(kind=AccountKind.COLLECTIVE).count() == COLLECTIVES
    assert TwoFactor.objects.filter(confirmed_at__isnull=False).count() == UNITS
    for collective in Collective.objects.select_related("user", "unit"):
        assert collective.user.username == collective.code
        assert collective.user.unit_id == collective.unit_id
        assert collective.user.has_usable_password() is False
        assert is_valid_code(collective.code)
        assert collective.unit_path == collective.unit.path
        assert collective.line == collective.unit.line
        assert collective.name_key == name_key(collective.name)
        assert collective.loose_key == loose_key(collective.name)
        assert collective.unit.tier >= 1


def test_generate_names_are_chinese_and_unique_by_key(generated):
    keys = list(Collective.objects.values_list("name_key", flat=True))
    assert len(set(keys)) == COLLECTIVES
    assert all("\u4e00" <= key[0] <= "\u9fff" for key in keys)
    assert FormerName.objects.exists()
    assert Title.objects.exists()


def test_generate_every_registration_state_over_three_cycles(generated):
    states = Counter(Registration.objects.values_list("state", flat=True))
    assert set(states) == set(RegistrationState.values)
    assert states == generated.states
    assert Cycle.objects.count() == 3
    per_cycle = Counter(Registration.objects.values_list("cycle_id", flat=True))
    assert sorted(per_cycle) == [1, 2, 3]
    assert Quota.objects.filter(cycle_id=3).count() == Unit.objects.filter(tier__in=(1, 2)).count()


def test_generate_registrations_follow_their_collective(generated):
    rows = Registration.objects.select_related("collective", "unit")
    for registration in rows:
        assert registration.unit_id == registration.collective.unit_id
        assert registration.unit_path == registration.unit.path
        assert registration.youth_count * 2 >= registration.member_count


def test_generate_history_ends_in_the_registration_state(generated):
    last = {}
    for transition in Transition.objects.order_by("registration_id", "at", "id"):
        assert transition.from_state != transition.to_state
        previous = last.get(transition.registration_id)
        if previous is not None:
            assert transition.from_state == previous
        last[transition.registration_id] = transition.to_state
    for pk, state in Registration.objects.values_list("pk", "state"):
        assert last.get(pk, RegistrationState.DRAFT) == state
    assert Transition.objects.count() == generated.rows["registrations.Transition"]


def test_generate_named_registrations_hold_the_cycle_title(generated):
    named = Registration.objects.filter(state=RegistrationState.NAMED).select_related("cycle")
    for registration in named:
        assert Title.objects.filter(
            collective_id=registration.collective_id, name=registration.cycle.name
        ).exists()


def _fingerprint() -> list:
    return [
        list(Collective.objects.order_by("pk").values_list("code", "name", "unit_path")),
        list(Registration.objects.order_by("pk").values_list("collective_id", "cycle_id", "state")),
        list(Transition.objects.order_by("pk").values_list("registration_id", "to_state", "at")),
    ]


def test_generate_same_seed_gives_same_rows():
    runs = []
    for _ in range(2):
        with transaction.atomic():
            generate(units=20, collectives=60, seed=11, out=_quiet)
            runs.append(_fingerprint())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == 60


def test_generate_national_command_prints_rows_per_second():
    out = io.StringIO()
    call_command("generate_national", "--units", "20", "--collectives", "30", stdout=out)
    text = out.getvalue()
    assert "collectives: 30/30" in text
    assert "rows/s" in text
    assert Collective.objects.count() == 30


def test_generate_national_command_refuses_a_database_with_units(world):
    with pytest.raises(CommandError, match="fresh, migrated database"):
        call_command(
            "generate_national", "--units", "20", "--collectives", "5", stdout=io.StringIO()
        )


def test_generate_national_command_refuses_too_few_units():
    with pytest.raises(CommandError, match="at least 7"):
        call_command("generate_national", "--units", "3", stdout=io.StringIO())
