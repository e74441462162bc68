"""The read-replica router: the replica only inside using_replica(), only when configured, never
inside a transaction, never for writes or migrations."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections

from qnwmh.core import db_router
from qnwmh.core.db_router import REPLICA, ReplicaRouter, replica_requested, using_replica
from qnwmh.units.models import Unit
from tests.factories import UnitFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


@pytest.fixture
def router():
    return ReplicaRouter()


def test_router_reads_default_outside_using_replica(with_replica, router):
    assert router.db_for_read(Unit) is None


def test_router_reads_replica_inside_using_replica(with_replica, router):
    with using_replica():
        assert router.db_for_read(Unit) == REPLICA
    assert router.db_for_read(Unit) is None


def test_router_reads_default_when_no_replica_is_configured(monkeypatch, router):
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    with using_replica():
        assert router.db_for_read(Unit) is None


def test_router_reads_default_inside_a_transaction(with_replica, router, db):
    # pytest-django runs this test inside a transaction on "default": reads see its writes.
    assert connections["default"].in_atomic_block
    with using_replica():
        assert router.db_for_read(Unit) is None


def test_router_writes_to_default_even_inside_using_replica(with_replica, router):
    with using_replica():
        assert router.db_for_write(Unit) == "default"


def test_using_replica_ends_with_its_block_even_on_error():
    with pytest.raises(ValueError), using_replica():
        assert replica_requested()
        raise ValueError("boom")
    assert not replica_requested()


def test_using_replica_nested_blocks_keep_the_outer_request():
    with using_replica():
        with using_replica():
            assert replica_requested()
        assert replica_requested()
    assert not replica_requested()


def test_using_replica_works_as_a_decorator():
    @using_replica()
    def report():
        return replica_requested()

    assert (report(), replica_requested()) == (True, False)


def test_router_never_migrates_the_replica(router):
    assert router.allow_migrate(REPLICA, "units") is False
    assert router.allow_migrate("default", "units") is None


def test_router_relates_objects_of_default_and_replica(router):
    on_default, on_replica, elsewhere = Unit(), Unit(), Unit()
    on_default._state.db, on_replica._state.db, elsewhere._state.db = "default", REPLICA, "other"
    assert router.allow_relation(on_default, on_replica) is True
    assert router.allow_relation(on_default, elsewhere) is None


def test_replica_configured_follows_the_databases_setting():
    assert db_router.replica_configured() == (REPLICA in django_settings.DATABASES)


def _settings_in_subprocess(**env) -> dict:
    """The settings a fresh process builds from this environment."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'replica': s.DATABASES.get('replica'), "
        "'routers': s.DATABASE_ROUTERS}, default=str))"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_REPLICA_URL",)}
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "qnwmh.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_settings_replica_url_adds_the_alias_and_the_router():
    built = _settings_in_subprocess(DATABASE_REPLICA_URL="postgres://reader@10.0.0.2:5432/qnwmh")
    replica = built["replica"]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("10.0.0.2", "reader", "qnwmh")
    assert replica["TEST"]["MIRROR"] == "default"
    assert built["routers"] == ["qnwmh.core.db_router.ReplicaRouter"]


def test_settings_without_replica_url_have_no_replica_and_no_router():
    assert _settings_in_subprocess() == {"replica": None, "routers": []}


@pytest.mark.skipif(
    REPLICA not in django_settings.DATABASES, reason="DATABASE_REPLICA_URL is not set"
)
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_queries_inside_using_replica_run_on_the_replica_alias():
    UnitFactory(name="全国组委会")
    with using_replica():
        units = Unit.objects.all()
        assert (units.db, [u.name for u in units]) == (REPLICA, ["全国组委会"])
    assert Unit.objects.all().db == "default"
