"""Demo data of this area, loaded by `manage.py load_demo` after the units and admins: Hunan's
2015—2016 national cycle with the quota table of seeds 000 附件1, Hunan's cycle open today, and a
Guangdong provincial cycle with its 2:1 ratio (seeds 002). Idempotent: an existing cycle is left
as it is, and a quota table is written only when the cycle has none."""

import datetime

from django.db import transaction

from qnwmh.accounts.enums import AdminRole
from qnwmh.accounts.models import User
from qnwmh.cycles import domain
from qnwmh.cycles.enums import Level
from qnwmh.cycles.models import Cycle
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

HUNAN_2015 = "2015—2016年度全国青年文明号"
HUNAN_2025 = "2025—2026年度全国青年文明号（湖南）"
GUANGDONG_2025 = "2025—2026年度广东省青年文明号"
GUANGDONG_REQUIRED = {"gd-guangzhou": (8, 4), "gd-shenzhen": (8, 4), "gd-foshan": (4, 2)}


def _admin_of(unit) -> User:
    return User.objects.filter(unit=unit, admin_role=AdminRole.BUSINESS).order_by("pk").first()


def _cycle(actor, data: CycleInput, quotas: list[QuotaRow]) -> Cycle:
    cycle = Cycle.objects.filter(unit=data.unit, name=data.name).first()
    if cycle is None:
        cycle = domain.create_cycle(actor, data)
    if quotas and not cycle.quotas.exists():
        domain.set_quotas(actor, cycle, quotas)
    return cycle


def _hunan_quotas(units: dict) -> list[QuotaRow]:
    return [
        QuotaRow(units[key].pk, required, HUNAN_EVALUATION_QUOTA)
        for key, required in HUNAN_REQUIRED.items()
        if key in units
    ]


@transaction.atomic
def load(units: dict) -> list:
    """Add this area's demo rows; return extra demo logins (none: the admins exist already)."""
    hunan, guangdong = units["hunan"], units["guangdong"]
    hunan_admin = _admin_of(hunan)
    quotas = _hunan_quotas(units)
    earlier = _cycle(
        hunan_admin,
        CycleInput(
            name=HUNAN_2015,
            level=Level.NATIONAL,
            unit=hunan,
            registration_opens=datetime.date(2013, 7, 1),
            registration_closes=datetime.date(2015, 10, 31),
            evaluation_quota_multiplier=10,
        ),
        quotas,
    )
    _cycle(
        hunan_admin,
        CycleInput(
            name=HUNAN_2025,
            level=Level.NATIONAL,
            unit=hunan,
            previous=earlier,
            registration_opens=datetime.date(2025, 11, 1),
            registration_closes=datetime.date(2026, 12, 31),
            evaluation_quota_multiplier=10,
        ),
        quotas,
    )
    _cycle(
        _admin_of(guangdong),
        CycleInput(
            name=GUANGDONG_2025,
            level=Level.PROVINCIAL,
            unit=guangdong,
            registration_opens=datetime.date(2025, 11, 1),
            registration_closes=datetime.date(2026, 12, 31),
            evaluation_quota_multiplier=2,
        ),
        [QuotaRow(units[key].pk, *numbers) for key, numbers in GUANGDONG_REQUIRED.items()],
    )
    return []
