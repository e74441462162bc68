"""The scoping base and the one role guard (core/scoping.py, core/access.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from qnwmh.core.access import WrongRole, require_role
from qnwmh.core.errors import Forbidden
from qnwmh.core.roles import AccountKind, AdminRole
from qnwmh.core.scoping import Scope, get_visible_or_404
from qnwmh.cycles.models import Cycle
from qnwmh.units.models import Unit
from tests.cycles.factories import CycleFactory


def test_subtree_scope_is_the_path_range_of_the_own_unit(world):
    scope = Scope(path="path", roles=frozenset({AdminRole.BUSINESS}))
    seen = Unit.objects.filter(scope.condition(world.users["changde"]))
    assert sorted(u.name for u in seen) == ["常德市团委", "武陵区团委"]


def test_subtree_scope_refuses_another_role(world):
    scope = Scope(path="path", roles=frozenset({AdminRole.BUSINESS}))
    assert scope.condition(world.users["hunan_audit"]) is None


def test_owner_scope_only_for_its_kinds(world):
    scope = Scope(owner="created_by", owner_kinds=frozenset({AccountKind.COLLECTIVE}))
    assert scope.condition(world.users["hunan"]) is None


def test_cycles_are_seen_from_above_and_below(world):
    # Scope(with_ancestors=True): a county admin sees its province's cycle.
    province = CycleFactory(unit=world.hunan, name="省级")
    other = CycleFactory(unit=world.guangdong, name="粤")
    seen = Cycle.objects.visible_to(world.users["wuling"])
    assert list(seen) == [province]
    assert other not in seen


def test_get_visible_or_404_takes_a_model_or_a_queryset(world):
    user = world.users["hunan"]
    assert get_visible_or_404(Unit, user, pk=world.changde.pk) == world.changde
    shaped = Unit.objects.select_related("parent")
    assert get_visible_or_404(shaped, user, pk=world.changde.pk).parent == world.hunan


def test_get_visible_or_404_outside_the_subtree(world):
    with pytest.raises(Http404):
        get_visible_or_404(Unit, world.users["changde"], pk=world.hunan.pk)
    with pytest.raises(Http404):
        get_visible_or_404(Unit, AnonymousUser(), pk=world.hunan.pk)


def test_require_role_lets_the_role_through(world):
    require_role(world.users["hunan_system"], AdminRole.SYSTEM)
    require_role(world.users["hunan"], AdminRole.BUSINESS, AccountKind.COLLECTIVE)


def test_require_role_tells_an_admin_of_another_role(world):
    with pytest.raises(WrongRole):
        require_role(world.users["hunan"], AdminRole.SYSTEM)


def test_require_role_refuses_anyone_else_plainly(world):
    for user in (world.users["judge"], AnonymousUser()):
        with pytest.raises(Forbidden) as refused:
            require_role(user, AdminRole.BUSINESS)
        assert type(refused.value) is Forbidden
