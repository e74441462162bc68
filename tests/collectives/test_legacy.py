"""Pure parsing of legacy rows: headers, lines, ownerships, titles."""

import datetime

import pytest

from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.imports import rows as legacy
from qnwmh.cycles.enums import Level
from qnwmh.units.enums import Line
from tests.factories import UnitFactory


def test_find_header_accepts_variants():
    cells = [
        "序号",
        " 集体规范名称 ",
        "用户名(编码)",
        "归口管理单位",
        "条线",
        "所属行业",
        "单位性质",
    ]
    cells += ["号长姓名", "手机号码", "荣誉称号", "命名年份"]
    assert legacy.find_header(cells) == {
        "name": 1,
        "code": 2,
        "unit": 3,
        "line": 4,
        "industry": 5,
        "ownership": 6,
        "leader_name": 7,
        "phone": 8,
        "title": 9,
        "title_year": 10,
    }


def test_find_header_needs_name_and_unit():
    assert legacy.find_header(["集体名称", "编码"]) is None
    assert legacy.find_header(["湖南省青年文明号集体名单"]) is None
    assert legacy.find_header([]) is None


def test_find_header_takes_the_first_of_repeated_columns():
    assert legacy.find_header(["集体名称", "归口单位", "集体名称"]) == {"name": 0, "unit": 1}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (" 甲 ", "甲"),
        (4300010001.0, "4300010001"),
        (2.5, "2.5"),
        (datetime.datetime(2019, 5, 4, 8, 0), "2019-05-04"),
        (datetime.date(2019, 5, 4), "2019-05-04"),
    ],
)
def test_cell_text(value, text):
    assert legacy.cell_text(value) == text


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("全国青年文明号", Level.NATIONAL),
        ("国家级青年文明号", Level.NATIONAL),
        ("湖南省青年文明号", Level.PROVINCIAL),
        ("省级青年文明号", Level.PROVINCIAL),
        ("广西壮族自治区青年文明号", Level.PROVINCIAL),
        ("北京市青年文明号", Level.PROVINCIAL),
        ("湖南省常德市青年文明号", Level.CITY),
        ("常德市青年文明号", Level.CITY),
        ("湘西土家族苗族自治州青年文明号", Level.CITY),
        ("市级青年文明号", Level.CITY),
        ("常德市武陵区青年文明号", Level.COUNTY),
        ("桃源县青年文明号", Level.COUNTY),
        ("区县级青年文明号", Level.COUNTY),
        ("青年文明号", None),
        ("优秀集体", None),
        ("", None),
    ],
)
def test_title_level(text, level):
    assert legacy.title_level(text) == level


@pytest.mark.parametrize(
    ("value", "year"),
    [
        (2019, 2019),
        (2019.0, 2019),
        ("2019年", 2019),
        ("２０１９", 2019),
        (datetime.datetime(2018, 5, 4), 2018),
        ("2015—2016年度", 2015),
        (1993, None),
        (1994, 1994),
        (2999, None),
        ("去年", None),
        (None, None),
    ],
)
def test_title_year(value, year):
    assert legacy.title_year(value) == year


def _row(**raw):
    return legacy.LegacyRow(2, {"code": "4300010001", **raw})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("地方", Line.REGION),
        ("地区", Line.REGION),
        ("REGION", Line.REGION),
        (" 行业 ", Line.INDUSTRY),
        ("Industry", Line.INDUSTRY),
    ],
)
def test_assess_line_values(raw, expected):
    region = UnitFactory.build(line=Line.REGION)
    result = legacy.assess(_row(line=raw, ownership="公有"), "甲集体", region)
    assert (result.fields["line"], result.reasons) == (expected, [])


def test_assess_line_problems():
    region = UnitFactory.build(line=Line.REGION)
    industry = UnitFactory.build(line=Line.INDUSTRY)
    assert legacy.assess(_row(line="", ownership="公有"), "甲", region).reasons == [
        "缺少条块（地方/行业）。"
    ]
    assert legacy.assess(_row(line="城市", ownership="公有"), "甲", region).reasons == [
        "条块“城市”既不是地方也不是行业。"
    ]
    assert legacy.assess(_row(line="地方", ownership="公有"), "甲", industry).reasons == [
        "归口于行业单位的集体只能属于行业条块。"
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("公有", Ownership.PUBLIC),
        ("事业单位", Ownership.PUBLIC),
        ("国企", Ownership.PUBLIC),
        ("非公", Ownership.NON_PUBLIC),
        ("非公有制经济", Ownership.NON_PUBLIC),
        ("民营企业", Ownership.NON_PUBLIC),
        ("NON_PUBLIC", Ownership.NON_PUBLIC),
        ("社会组织", Ownership.SOCIAL_ORG),
        ("民办非企业单位", Ownership.SOCIAL_ORG),
    ],
)
def test_assess_ownership_values(raw, expected):
    region = UnitFactory.build(line=Line.REGION)
    result = legacy.assess(_row(line="地方", ownership=raw), "甲集体", region)
    assert (result.fields["ownership"], result.reasons) == (expected, [])


def test_assess_ownership_problems():
    region = UnitFactory.build(line=Line.REGION)
    assert legacy.assess(_row(line="地方", ownership=""), "甲", region).reasons == [
        "缺少性质（公有制/非公有制经济/社会组织）。"
    ]
    assert legacy.assess(_row(line="地方", ownership="混合"), "甲", region).reasons == [
        "无法识别性质“混合”。"
    ]


def test_assess_optional_fields_are_notes_not_reasons():
    region = UnitFactory.build(line=Line.REGION)
    result = legacy.assess(
        _row(line="地方", ownership="公有", industry="行" * 51, phone="123", leader_name="张青"),
        "甲",
        region,
    )
    assert result.reasons == []
    assert (result.fields["industry"], result.fields["phone"], result.fields["leader_name"]) == (
        "",
        "",
        "张青",
    )
    assert result.notes == [
        f"“{'行' * 51}”未导入：行业不能超过 50 个字符。",
        "“123”未导入：请输入 11 位手机号码或带区号的固定电话，如 0736-1234567。",
    ]


def test_assess_title_needs_level_and_year():
    region = UnitFactory.build(line=Line.REGION)
    ok = legacy.assess(
        _row(line="地方", ownership="公有", title="湖南省青年文明号", title_year="2019年"),
        "甲",
        region,
    )
    assert ok.title == {"level": Level.PROVINCIAL, "year": 2019, "name": "湖南省青年文明号"}
    no_year = legacy.assess(
        _row(line="地方", ownership="公有", title="湖南省青年文明号"), "甲", region
    )
    assert (no_year.title, no_year.notes) == (
        None,
        ["称号“湖南省青年文明号”（—）未导入：无法识别级别或年份。"],
    )


def test_assess_code():
    region = UnitFactory.build(line=Line.REGION)
    good = legacy.assess(_row(line="地方", ownership="公有"), "甲", region)
    assert (good.usable_code, good.code_problem) == ("4300010001", None)
    bad = legacy.assess(_row(code="43-01", line="地方", ownership="公有"), "甲", region)
    assert (bad.usable_code, bad.legacy_code, bad.code_problem) == (
        None,
        "43-01",
        "编码 43-01 不是 4–20 位字母或数字",
    )
