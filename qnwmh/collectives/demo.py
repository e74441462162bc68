"""Demo collectives, loaded by `manage.py load_demo` after the units and admins: a few per
unit, with titles, and two frozen legacy records to complete. Created through the same domain
functions as the pages, by each unit's own admin. Idempotent: a collective whose name exists is
left alone; one-time passwords are re-issued only for logins whose holder never set their own."""

from django.db import transaction

from qnwmh.accounts.credentials import generate_one_time_password
from qnwmh.accounts.enums import AdminRole
from qnwmh.accounts.models import User
from qnwmh.collectives import domain, imports
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.imports import rows as legacy
from qnwmh.collectives.models import Collective
from qnwmh.core.demo import SET_BY_HOLDER, DemoLogin
from qnwmh.cycles.enums import Level
from qnwmh.units.enums import Line

# (unit key, name, ownership, industry, title (level, year, name) or None)
COLLECTIVES = [
    ("hn-changde-wuling", "武陵区人民医院急诊科", Ownership.PUBLIC, "卫生健康",
     (Level.PROVINCIAL, 2022, "湖南省青年文明号")),
    ("hn-changde-wuling", "武陵区德诚会计师事务所审计部", Ownership.NON_PUBLIC, "商务服务",
     (Level.CITY, 2021, "常德市青年文明号")),
    ("hn-changde-wuling", "武陵区青年志愿者协会服务队", Ownership.SOCIAL_ORG, "社会服务", None),
    ("hn-changde", "常德市第一人民医院急诊科", Ownership.PUBLIC, "卫生健康",
     (Level.PROVINCIAL, 2023, "湖南省青年文明号")),
    ("hn-changde", "常德烟草物流配送中心", Ownership.PUBLIC, "烟草",
     (Level.NATIONAL, 2018, "全国青年文明号")),
    ("hn-changsha", "长沙市地铁1号线客运部", Ownership.PUBLIC, "交通运输",
     (Level.PROVINCIAL, 2022, "湖南省青年文明号")),
    ("hn-changsha", "长沙银行营业部", Ownership.PUBLIC, "金融", None),
    ("gd-guangzhou", "广州地铁三号线乘务中心", Ownership.PUBLIC, "交通运输",
     (Level.PROVINCIAL, 2023, "广东省青年文明号")),
]  # fmt: skip
# Logins shown on the demo login page: (name, role label).
DEMO_LOGINS = [
    ("武陵区人民医院急诊科", "集体（武陵区人民医院急诊科）"),
    ("常德市第一人民医院急诊科", "集体（常德市第一人民医院急诊科）"),
]
# Two rows as an older system exported them: unusable codes, a missing ownership, a missing line.
FROZEN_ROWS = [
    {"name": "常德市武陵区步行街商户联合服务站", "code": "1.23457E+11", "unit": "常德市团委",
     "line": "地方", "ownership": "", "industry": "商贸服务"},
    {"name": "常德市鼎城区高速公路收费站", "code": "CD-0012", "unit": "常德市团委",
     "line": "", "ownership": "国有", "industry": "交通运输"},
]  # fmt: skip


def _admin_of(unit) -> User:
    return User.objects.filter(unit=unit, admin_role=AdminRole.BUSINESS).order_by("pk").first()


@transaction.atomic
def load(units: dict) -> list:
    passwords: dict[str, str] = {}
    for unit_key, name, ownership, industry, title in COLLECTIVES:
        unit = units[unit_key]
        collective = Collective.objects.filter(name=name).first()
        if collective is None:
            collective, passwords[name] = domain.create_collective(
                _admin_of(unit),
                name=name,
                unit=unit,
                line=Line.REGION,
                industry=industry,
                ownership=ownership,
            )
        if title is not None:
            level, year, title_name = title
            collective.titles.get_or_create(level=level, year=year, defaults={"name": title_name})
    _load_frozen(units["hn-changde"])
    logins = []
    for name, role in DEMO_LOGINS:
        collective = Collective.objects.select_related("user").get(name=name)
        password = passwords.get(name) or _reissue(collective.user, SET_BY_HOLDER)
        logins.append(DemoLogin(role, collective.code, password))
    return logins


def _reissue(account: User, set_by_holder: str) -> str:
    if not account.must_change_password:
        return set_by_holder
    password = generate_one_time_password()
    account.set_password(password)
    account.save(update_fields=["password"])
    return password


def _load_frozen(unit) -> None:
    actor = _admin_of(unit)
    index = imports.UnitIndex(actor.unit)
    columns = {field: position for position, field in enumerate(FROZEN_ROWS[0])}
    for line, values in enumerate(FROZEN_ROWS, start=2):
        row = legacy.LegacyRow.from_cells(line, list(values.values()), columns)
        imports.import_row(actor, row, index, "一期系统导出（演示）")
