"""Demo data of this area, loaded by `manage.py load_demo` after the units and admins (API.md
"one 届次 across the tree"): the national committee's 2015—2016 and 2025—2026 national cycles,
each allocating 115 to Hunan, which splits them over its 18 units exactly as seeds 000 附件1;
Hunan's provincial cycle and 常德's city cycle open today; and a Guangdong provincial cycle with
its 2:1 ratio (seeds 002). Idempotent: an existing cycle is left as it is, and a split is
written only when the unit has not split yet."""

import datetime

from django.db import transaction

from qnwmh.accounts.enums import AdminRole
from qnwmh.accounts.models import User
from qnwmh.cycles import domain
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle, Quota
from qnwmh.cycles.validators import CycleInput, QuotaRow

# 附件1 各地网络创建数量要求一览表 (seeds 000): 18 participating units, 115 registrations in all.
HUNAN_REQUIRED = {
    "hn-changsha": 10,
    "hn-hengyang": 7,
    "hn-zhuzhou": 7,
    "hn-xiangtan": 7,
    "hn-shaoyang": 6,
    "hn-yueyang": 6,
    "hn-changde": 6,
    "hn-zhangjiajie": 5,
    "hn-yiyang": 6,
    "hn-chenzhou": 6,
    "hn-yongzhou": 6,
    "hn-huaihua": 6,
    "hn-loudi": 6,
    "hn-xiangxi": 5,
    "hn-shengzhi": 7,
    "hn-feigong": 8,
    "hn-dianli": 5,
    "hn-jiaoyu": 6,
}
# The notice names no evaluation quota per unit; one title each keeps the 10:1 rule visible.
HUNAN_EVALUATION_QUOTA = 1

NATIONAL_2015 = "2015—2016年度全国青年文明号"
NATIONAL_2025 = "2025—2026年度全国青年文明号"
HUNAN_PROVINCIAL_2025 = "2025—2026年度湖南省青年文明号"
CHANGDE_CITY_2025 = "2025—2026年度常德市青年文明号"
GUANGDONG_2025 = "2025—2026年度广东省青年文明号"
GUANGDONG_REQUIRED = {"gd-guangzhou": (8, 4), "gd-shenzhen": (8, 4), "gd-foshan": (4, 2)}
# What the national committee gives each province and ministry in the national cycle.
NATIONAL_ALLOCATIONS = {"hunan": (115, 18), "guangdong": (60, 6), "jiaotong": (30, 3)}
HUNAN_PROVINCIAL = {"hn-changsha": (8, 2), "hn-changde": (6, 2), "hn-hengyang": (4, 1)}
CHANGDE_CITY = {"hn-changde-wuling": (4, 2)}
OPENS, CLOSES = datetime.date(2025, 11, 1), datetime.date(2026, 12, 31)


def _admin_of(unit) -> User:
    return User.objects.filter(unit=unit, admin_role=AdminRole.BUSINESS).order_by("pk").first()


def _cycle(data: CycleInput) -> Cycle:
    cycle = Cycle.objects.filter(unit=data.unit, name=data.name).first()
    if cycle is None:
        cycle = domain.create_cycle(_admin_of(data.unit), data)
    return cycle


def _split(cycle: Cycle, unit, rows: list[QuotaRow]) -> None:
    if rows and not Quota.objects.filter(cycle=cycle, unit__parent=unit).exists():
        domain.set_split(_admin_of(unit), cycle, unit, rows)


def _rows(units: dict, numbers: dict) -> list[QuotaRow]:
    return [QuotaRow(units[key].pk, *pair) for key, pair in numbers.items() if key in units]


def _hunan_quotas(units: dict) -> list[QuotaRow]:
    return [
        QuotaRow(units[key].pk, required, HUNAN_EVALUATION_QUOTA)
        for key, required in HUNAN_REQUIRED.items()
        if key in units
    ]


def _national(units: dict, name: str, opens, closes) -> Cycle:
    national = units["national"]
    cycle = _cycle(
        CycleInput(
            name=name,
            level=Level.NATIONAL,
            unit=national,
            registration_opens=opens,
            registration_closes=closes,
            evaluation_quota_multiplier=10,
        )
    )
    _split(cycle, national, _rows(units, NATIONAL_ALLOCATIONS))
    _split(cycle, units["hunan"], _hunan_quotas(units))
    return cycle


@transaction.atomic
def load(units: dict) -> list:
    """Add this area's demo rows; return extra demo logins (none: the admins exist already)."""
    _national(units, NATIONAL_2015, datetime.date(2013, 7, 1), datetime.date(2015, 10, 31))
    _national(units, NATIONAL_2025, OPENS, CLOSES)
    hunan, changde = units["hunan"], units["hn-changde"]
    provincial = _cycle(
        CycleInput(
            name=HUNAN_PROVINCIAL_2025,
            level=Level.PROVINCIAL,
            unit=hunan,
            registration_opens=OPENS,
            registration_closes=CLOSES,
        )
    )
    _split(provincial, hunan, _rows(units, HUNAN_PROVINCIAL))
    city = _cycle(
        CycleInput(
            name=CHANGDE_CITY_2025,
            level=Level.CITY,
            unit=changde,
            registration_opens=OPENS,
            registration_closes=CLOSES,
        )
    )
    _split(city, changde, _rows(units, CHANGDE_CITY))
    guangdong = _cycle(
        CycleInput(
            name=GUANGDONG_2025,
            level=Level.PROVINCIAL,
            unit=units["guangdong"],
            registration_opens=OPENS,
            registration_closes=CLOSES,
            evaluation_quota_multiplier=2,
        )
    )
    _split(guangdong, units["guangdong"], _rows(units, GUANGDONG_REQUIRED))
    return []
