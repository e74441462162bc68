"""Understanding one row of an older system's collective list (seeds 000 Q3). Pure: given the
row's cells and its resolved unit, say what can be stored, what keeps the record frozen
(数据合格 = 否, with reasons in Chinese) and what is only worth a note. No database."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from qnwmh.collectives import codes, validators
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.names import clean_name, name_key
from qnwmh.cycles.enums import Level
from qnwmh.units.enums import Line

# Column headers and their accepted variants, compared by name key (so "用户名（编码）",
# "用户名(编码)" and "用户名 编码" are one header).
HEADERS = {
    "name": ("集体名称", "集体规范名称", "规范名称", "集体全称", "名称"),
    "code": ("集体编码用户名", "用户名编码", "集体编码", "集体用户名", "用户名", "编码", "登录名"),
    "unit": ("归口单位", "归口管理单位", "上级归口单位", "上级单位", "所属单位", "管理单位"),
    "line": ("条块", "条线", "地方行业", "地区行业"),
    "industry": ("行业", "所属行业", "行业类别"),
    "ownership": ("性质", "集体性质", "单位性质", "所有制", "所有制性质", "经济类型"),
    "leader_name": ("号长", "号长姓名", "负责人"),
    "phone": ("联系电话", "电话", "号长电话", "联系方式", "手机", "手机号码"),
    "title": ("所获称号", "获得称号", "已获称号", "荣誉称号", "称号"),
    "title_year": ("获得年份", "命名年份", "获得时间", "命名时间", "年份"),
}
REQUIRED_HEADERS = ("name", "unit")
HEADER_SEARCH_ROWS = 10

_LINES = {
    Line.REGION: ("地方", "地区", "区域", "块", "region"),
    Line.INDUSTRY: ("行业", "条", "industry"),
}
_OWNERSHIPS = {
    Ownership.PUBLIC: (
        "公有", "公有制", "公有经济", "公有制经济", "国有", "国企", "国有企业", "事业单位",
        "机关", "机关事业单位", "公立", "public",
    ),
    Ownership.NON_PUBLIC: (
        "非公", "非公有", "非公有制", "非公经济", "非公有制经济", "民营", "民营企业", "私营",
        "私营企业", "外资", "外资企业", "个体", "nonpublic",
    ),
    Ownership.SOCIAL_ORG: (
        "社会组织", "社团", "社会团体", "民办非企业", "民办非企业单位", "民非", "基金会",
        "socialorg",
    ),
}  # fmt: skip
_LINE_BY_KEY = {key: value for value, keys in _LINES.items() for key in keys}
_OWNERSHIP_BY_KEY = {key: value for value, keys in _OWNERSHIPS.items() for key in keys}

# The four municipalities are provinces as far as titles go.
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
# Suffix of the awarding region → level, most specific first (自治区 is a province, 区 a county).
_LEVEL_SUFFIXES = (
    (("全国", "国家级", "中央"), Level.NATIONAL),
    (("自治区", "特别行政区", "省", "省级"), Level.PROVINCIAL),
    (("自治州", "市", "州", "盟", "地区", "市级", "地市级"), Level.CITY),
    (("区", "县", "旗", "县级", "区级", "区县级", "县区级"), Level.COUNTY),
)
FIRST_TITLE_YEAR = 1994  # the 青年文明号 programme began in 1994


def find_header(cells: list) -> dict[str, int] | None:
    """{field: column} when `cells` is a header row holding at least 集体名称 and 归口单位."""
    columns: dict[str, int] = {}
    for column, value in enumerate(cells):
        key = name_key(cell_text(value))
        for field_name, variants in HEADERS.items():
            if field_name not in columns and key in variants:
                columns[field_name] = column
    return columns if all(f in columns for f in REQUIRED_HEADERS) else None


def cell_text(value) -> str:
    """A cell as text: an integral float without ".0", a date as YYYY-MM-DD, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def is_empty(cells: list) -> bool:
    return not any(cell_text(value) for value in cells)


@dataclass
class LegacyRow:
    line: int
    raw: dict = field(default_factory=dict)

    def text(self, field_name: str) -> str:
        return cell_text(self.raw.get(field_name))

    @classmethod
    def from_cells(cls, line: int, cells: list, columns: dict[str, int]) -> "LegacyRow":
        return cls(
            line,
            {f: cells[c] if c < len(cells) else None for f, c in columns.items()},
        )


@dataclass
class Assessed:
    """What to store of a row: cleaned fields ("" where unusable), the legacy code when it is
    usable as a login, reasons that freeze the record and notes that do not."""

    fields: dict
    usable_code: str | None
    legacy_code: str
    code_problem: str | None = None
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    title: dict | None = None


def assess(row: LegacyRow, name: str, unit) -> Assessed:
    """Everything but the name and the unit (checked before: without them nothing is stored)."""
    legacy_code = codes.normalize_legacy_code(row.raw.get("code"))[:40]
    # A file without a code column simply gets new codes; an empty cell in it is a gap.
    problem = codes.legacy_code_problem(row.raw.get("code")) if "code" in row.raw else None
    # The code's own reason is added when the record is stored: a usable code may still turn
    # out to be taken by another account.
    usable = legacy_code if legacy_code and not problem else None
    result = Assessed({"name": name}, usable, legacy_code, problem)
    _assess_line(row, unit, result)
    _assess_ownership(row, result)
    _assess_optional(row, result)
    result.title = _assess_title(row, result)
    return result


def _assess_line(row: LegacyRow, unit, result: Assessed) -> None:
    raw = row.text("line")
    line = _LINE_BY_KEY.get(name_key(raw))
    result.fields["line"] = ""
    if not raw:
        result.reasons.append(_("The line (region or industry) is missing."))
    elif line is None:
        result.reasons.append(_("The line %(value)s is not region or industry.") % {"value": raw})
    else:
        try:
            result.fields["line"] = validators.clean_line(line, unit)
        except validators.FieldError as exc:
            result.reasons.append(exc.message)


def _assess_ownership(row: LegacyRow, result: Assessed) -> None:
    raw = row.text("ownership")
    result.fields["ownership"] = _OWNERSHIP_BY_KEY.get(name_key(raw), "")
    if not raw:
        result.reasons.append(
            _("The ownership (public, non-public economy, social organisation) is missing.")
        )
    elif not result.fields["ownership"]:
        result.reasons.append(_("The ownership %(value)s is not recognised.") % {"value": raw})


def _assess_optional(row: LegacyRow, result: Assessed) -> None:
    """Industry, leader and phone: a bad value is left out and noted, the record not frozen."""
    for field_name in ("industry", "leader_name", "phone"):
        raw = row.text(field_name)
        try:
            result.fields[field_name] = validators.CLEANERS[field_name](raw)
        except validators.FieldError as exc:
            result.fields[field_name] = ""
            result.notes.append(
                _("%(value)s left out: %(problem)s") % {"value": raw, "problem": exc.message}
            )


def _assess_title(row: LegacyRow, result: Assessed) -> dict | None:
    """所获称号 and 获得年份 → {level, year, name}; an unreadable title is noted, not imported."""
    title_text = clean_name(row.text("title"))
    year_raw = row.raw.get("title_year")
    if not title_text and not cell_text(year_raw):
        return None
    level = title_level(title_text)
    year = title_year(year_raw)
    if level is None or year is None:
        result.notes.append(
            _("The title %(title)s (%(year)s) was not imported: level or year not recognised.")
            % {"title": title_text or "—", "year": cell_text(year_raw) or "—"}
        )
        return None
    return {"level": level, "year": year, "name": title_text[:200]}


def title_level(text: str) -> str | None:
    """The level of a title from the region that awarded it: 湖南省青年文明号 → PROVINCIAL,
    常德市… → CITY, 武陵区… → COUNTY, 全国… → NATIONAL."""
    region = name_key(text).replace("青年文明号", "")
    if not region:
        return None
    if region in {name_key(m) for m in _MUNICIPALITIES} or region.endswith(
        tuple(name_key(m) for m in _MUNICIPALITIES)
    ):
        return Level.PROVINCIAL
    if region.startswith("全国"):
        return Level.NATIONAL
    for suffixes, level in _LEVEL_SUFFIXES:
        if region.endswith(suffixes):
            return level
    return None


def title_year(value) -> int | None:
    if isinstance(value, (datetime.date, datetime.datetime)):
        year = value.year
    else:
        match = re.search(r"(?:19|20)\d{2}", unicodedata.normalize("NFKC", cell_text(value)))
        year = int(match.group()) if match else None
    if year is None or not FIRST_TITLE_YEAR <= year <= timezone.localdate().year:
        return None
    return year
