"""Demo data for `make run`: the national committee, Hunan with the 19 participating units of
the 2015—2016 table (seeds 000 附件1), Guangdong with a few cities, an industry line, and a
business admin each; the national committee and Hunan also one system, one security and one
audit administrator (三权分立). Idempotent: running it again adds nothing and only re-issues
one-time passwords of accounts that never set their own."""

from importlib import import_module

from django.db import transaction

from qnwmh.accounts.domain import create_account
from qnwmh.accounts.enums import AccountKind, AdminRole
from qnwmh.accounts.management.commands.bootstrap import NATIONAL_COMMITTEE
from qnwmh.accounts.models import User
from qnwmh.core.demo import SET_BY_HOLDER, DemoLogin
from qnwmh.units.domain import create_root_unit, create_unit_for_demo
from qnwmh.units.enums import Line, Tier
from qnwmh.units.models import Unit

# (unit name, admin username, line) — the 19 units of 附件1 各地网络创建数量要求一览表.
HUNAN_UNITS = [
    ("长沙市团委", "hn-changsha", Line.REGION),
    ("衡阳市团委", "hn-hengyang", Line.REGION),
    ("株洲市团委", "hn-zhuzhou", Line.REGION),
    ("湘潭市团委", "hn-xiangtan", Line.REGION),
    ("邵阳市团委", "hn-shaoyang", Line.REGION),
    ("岳阳市团委", "hn-yueyang", Line.REGION),
    ("常德市团委", "hn-changde", Line.REGION),
    ("张家界市团委", "hn-zhangjiajie", Line.REGION),
    ("益阳市团委", "hn-yiyang", Line.REGION),
    ("郴州市团委", "hn-chenzhou", Line.REGION),
    ("永州市团委", "hn-yongzhou", Line.REGION),
    ("怀化市团委", "hn-huaihua", Line.REGION),
    ("娄底市团委", "hn-loudi", Line.REGION),
    ("湘西州团委", "hn-xiangxi", Line.REGION),
    ("省直团工委", "hn-shengzhi", Line.REGION),
    ("省非公团工委", "hn-feigong", Line.REGION),
    ("湖南省电力行业团委", "hn-dianli", Line.INDUSTRY),
    ("湖南省教育系统团委", "hn-jiaoyu", Line.INDUSTRY),
]
GUANGDONG_CITIES = [
    ("广州市团委", "gd-guangzhou"),
    ("深圳市团委", "gd-shenzhen"),
    ("佛山市团委", "gd-foshan"),
]


def _admin(
    unit: Unit,
    username: str,
    display_name: str,
    logins: list,
    role: str,
    admin_role: str = AdminRole.BUSINESS,
) -> None:
    from qnwmh.accounts.credentials import generate_one_time_password

    user = User.objects.filter(username=username).first()
    if user is None:
        user, password = create_account(
            kind=AccountKind.ADMIN,
            admin_role=admin_role,
            username=username,
            display_name=display_name,
            unit=unit,
        )
    elif user.must_change_password:
        password = generate_one_time_password()
        user.set_password(password)
        user.save(update_fields=["password"])
    else:
        password = SET_BY_HOLDER
    logins.append(DemoLogin(role, username, password))


# The other three roles of 三权分立, shown in the demo at the committee and in Hunan:
# (username suffix, display name suffix, role).
SEPARATED_ROLES = [
    ("sys", "系统管理员", AdminRole.SYSTEM),
    ("sec", "安全管理员", AdminRole.SECURITY),
    ("audit", "审计管理员", AdminRole.AUDIT),
]


def _role_admins(unit: Unit, username: str, name: str, logins: list, label: str) -> None:
    for suffix, title, admin_role in SEPARATED_ROLES:
        _admin(unit, f"{username}-{suffix}", name + title, logins, label + title, admin_role)


@transaction.atomic
def load_units_and_admins() -> tuple[dict[str, Unit], list[DemoLogin]]:
    logins: list[DemoLogin] = []
    national = Unit.objects.filter(parent__isnull=True).first() or create_root_unit(
        name=NATIONAL_COMMITTEE
    )
    _admin(national, "national", "全国组委会业务管理员", logins, "全国组委会（0级）业务管理员")
    _role_admins(national, "national", "全国组委会", logins, "全国组委会（0级）")

    hunan = create_unit_for_demo(national, name="湖南省团委", line=Line.REGION, tier=Tier.FIRST)
    _admin(hunan, "hunan", "湖南省青工委办公室", logins, "湖南省（1级）业务管理员")
    _role_admins(hunan, "hunan", "湖南省团委", logins, "湖南省（1级）")
    units = {"national": national, "hunan": hunan}
    for name, username, line in HUNAN_UNITS:
        unit = create_unit_for_demo(hunan, name=name, line=line, tier=Tier.SECOND)
        units[username] = unit
        role = "常德市（2级）" if username == "hn-changde" else "湖南省下属单位（2级）"
        _admin(unit, username, name + "管理员", logins, role)
    wuling = create_unit_for_demo(
        units["hn-changde"], name="武陵区团委", line=Line.REGION, tier=Tier.THIRD
    )
    units["hn-changde-wuling"] = wuling
    _admin(wuling, "hn-changde-wuling", "武陵区团委管理员", logins, "武陵区（3级，区县）")

    guangdong = create_unit_for_demo(national, name="广东省团委", line=Line.REGION, tier=Tier.FIRST)
    units["guangdong"] = guangdong
    _admin(guangdong, "guangdong", "广东省团委管理员", logins, "广东省（1级）")
    for name, username in GUANGDONG_CITIES:
        unit = create_unit_for_demo(guangdong, name=name, line=Line.REGION, tier=Tier.SECOND)
        units[username] = unit
        _admin(unit, username, name + "管理员", logins, "广东省下属城市（2级）")

    transport = create_unit_for_demo(
        national, name="交通运输部团委", line=Line.INDUSTRY, tier=Tier.FIRST
    )
    units["jiaotong"] = transport
    _admin(transport, "jiaotong", "交通运输部团委管理员", logins, "行业条线（1级）")
    return units, logins


# Each domain area's demo module, in dependency order.
AREAS = ["qnwmh.cycles", "qnwmh.collectives", "qnwmh.registrations"]


def load() -> list[DemoLogin]:
    """Everything of the demo: units and admins, then each domain area's part."""
    units, logins = load_units_and_admins()
    for area in AREAS:
        logins += import_module(f"{area}.demo").load(units)
    return logins
