"""Property tests (Hypothesis) on the pure functions a wrong input could break: eligibility,
collective codes, name keys, import parsing and spreadsheet escaping. Budgets: conftest.py."""

import contextlib
import csv
import datetime
import io
import re
import zipfile
from types import SimpleNamespace

import openpyxl
from hypothesis import assume, example, given
from hypothesis import strategies as st

from qnwmh.collectives import codes, imports
from qnwmh.collectives.imports import rows as legacy
from qnwmh.collectives.imports import sources
from qnwmh.collectives.names import clean_name, loose_key, name_key
from qnwmh.core import tables
from qnwmh.core.spreadsheets import safe_cell, safe_row
from qnwmh.registrations import eligibility, exports

# --- eligibility (seeds 004 附件1) ---------------------------------------------------------

TODAY = datetime.date(2026, 3, 1)


def _cycle(**rules):
    values = {
        "min_members": 6,
        "max_members": 200,
        "youth_max_age": 35,
        "min_youth_percent": 50,
        "leader_max_age": 40,
        "prior_title_levels": [],
        "prior_title_min_year": None,
        "registration_opens": datetime.date(2026, 1, 1),
        "registration_closes": datetime.date(2026, 12, 31),
    }
    return SimpleNamespace(**{**values, **rules})


def _subject(cycle, today=TODAY, **profile):
    return eligibility.Subject(
        cycle, SimpleNamespace(unit_id=1, data_ok=True), profile, eligibility.Facts(), today
    )


counts = st.integers(min_value=0, max_value=100_000)


@given(count=counts, low=counts, high=counts)
def test_member_count_passes_exactly_inside_the_bounds(count, low, high):
    result = eligibility.member_count(
        _subject(_cycle(min_members=low, max_members=high), member_count=count)
    )
    assert result["passed"] == (low <= count <= high)
    assert str(count) in result["message"]


@given(count=counts, low=counts, high=counts, wider=st.integers(0, 1000))
def test_member_count_is_monotone_in_the_bounds(count, low, high, wider):
    """Widening the allowed range never turns a pass into a failure."""
    narrow = _cycle(min_members=low, max_members=high)
    wide = _cycle(min_members=max(0, low - wider), max_members=high + wider)
    if eligibility.member_count(_subject(narrow, member_count=count))["passed"]:
        assert eligibility.member_count(_subject(wide, member_count=count))["passed"]


@given(members=st.integers(1, 100_000), youth=st.integers(0, 100_000), percent=st.integers(0, 100))
@example(members=20, youth=10, percent=50)  # the documented boundary: 10 of 20 is 50 %
@example(members=3, youth=1, percent=34)  # 33.3 % must not pass 34 %
def test_youth_share_is_exact_integer_arithmetic(members, youth, percent):
    result = eligibility.youth_share(
        _subject(_cycle(min_youth_percent=percent), member_count=members, youth_count=youth)
    )
    assert result["passed"] == (youth <= members and youth * 100 >= percent * members)


@given(members=st.integers(1, 100_000), percent=st.integers(1, 100))
def test_youth_share_boundary_is_the_smallest_passing_count(members, percent):
    """ceil(percent × members / 100) passes, one fewer fails: no rounding either way."""
    smallest = -(-percent * members // 100)
    cycle = _cycle(min_youth_percent=percent)

    def passes(youth):
        subject = _subject(cycle, member_count=members, youth_count=youth)
        return eligibility.youth_share(subject)["passed"]

    assert passes(smallest)
    assert not passes(smallest - 1)


@given(members=st.integers(1, 100_000), youth=st.integers(0, 100_000))
def test_youth_share_monotone_in_the_youth_count(members, youth):
    cycle = _cycle()
    one = _subject(cycle, member_count=members, youth_count=youth)
    more = _subject(cycle, member_count=members, youth_count=min(youth + 1, members))
    if youth <= members and eligibility.youth_share(one)["passed"]:
        assert eligibility.youth_share(more)["passed"]


@given(members=st.integers(1, 100_000), youth=st.integers(0, 100_000), percent=st.integers(1, 100))
def test_youth_share_message_never_rounds_a_failure_up_to_the_minimum(members, youth, percent):
    assume(youth <= members)
    result = eligibility.youth_share(
        _subject(_cycle(min_youth_percent=percent), member_count=members, youth_count=youth)
    )
    shown = float(re.findall(r"(\d+(?:\.\d)?)%", result["message"])[0])
    assert shown <= youth * 100 / members < shown + 0.1
    if not result["passed"]:
        assert shown < percent


def _birthdays_passed(born: datetime.date, on: datetime.date) -> int:
    """Age counted the slow way: one year for each birthday reached (29 February → 1 March)."""
    age = 0
    for year in range(born.year + 1, on.year + 1):
        try:
            birthday = born.replace(year=year)
        except ValueError:
            birthday = datetime.date(year, 3, 1)
        if birthday <= on:
            age += 1
    return age


dates = st.dates(datetime.date(1930, 1, 1), datetime.date(2030, 12, 31))


@given(born=dates, on=dates)
@example(born=datetime.date(1984, 2, 29), on=datetime.date(2025, 2, 28))
@example(born=datetime.date(1984, 2, 29), on=datetime.date(2025, 3, 1))
def test_full_years_counts_birthdays(born, on):
    assume(born <= on)
    assert eligibility.full_years(born, on) == _birthdays_passed(born, on)


@given(born=dates, max_age=st.integers(18, 70))
def test_leader_age_passes_until_the_birthday_after_the_maximum(born, max_age):
    result = eligibility.leader_age(
        _subject(_cycle(leader_max_age=max_age), leader_birth_date=born)
    )
    assert result["passed"] == (_birthdays_passed(born, TODAY) <= max_age)


# --- collective codes (codes.py) ---------------------------------------------------------


@given(st.randoms(use_true_random=False))
def test_generated_codes_are_valid(_random):
    code = codes.generate_code()
    assert codes.is_valid_code(code)
    assert len(code) == 10 and code[0] != "0"


bodies = st.from_regex(r"[1-9][0-9]{8}", fullmatch=True)


@given(body=bodies, position=st.integers(0, 9), digit=st.sampled_from("0123456789"))
def test_luhn_detects_every_single_digit_change(body, position, digit):
    code = body + codes.luhn_check_digit(body)
    assert codes.is_valid_code(code)
    assume(code[position] != digit)
    changed = code[:position] + digit + code[position + 1 :]
    assert not codes.is_valid_code(changed)


@given(body=bodies, position=st.integers(0, 8))
def test_luhn_detects_adjacent_swaps_except_09(body, position):
    code = body + codes.luhn_check_digit(body)
    pair = code[position : position + 2]
    assume(pair[0] != pair[1] and set(pair) != {"0", "9"})
    swapped = code[:position] + pair[::-1] + code[position + 2 :]
    assert not codes.is_valid_code(swapped)


@given(taken=st.sets(bodies.map(lambda b: b + codes.luhn_check_digit(b)), max_size=50))
def test_new_unique_code_avoids_every_taken_code(taken):
    assert codes.new_unique_code(taken.__contains__) not in taken


legacy_cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
)


@given(legacy_cells)
def test_legacy_code_checks_never_raise_and_usable_codes_are_logins(raw):
    problem = codes.legacy_code_problem(raw)
    code = codes.normalize_legacy_code(raw)
    assert codes.normalize_legacy_code(code) == code
    if problem is None:
        assert re.fullmatch(r"[0-9a-z]{4,20}", code) and any(c.isdigit() for c in code)
    else:
        assert isinstance(problem, str) and problem


# --- names (names.py) ------------------------------------------------------------------------

# What collective names are made of: Chinese characters, Latin letters and digits.
name_chars = st.sampled_from(
    "武陵区人民医院急诊科常德市青年文明号有限公司集团一二三四五六七八九〇零号线"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)
names = st.text(name_chars, min_size=1, max_size=30)
noise = st.text(
    st.sampled_from(" \u3000\t·、，。,.()（）【】[]《》“”\"'‘’—-_/\\:：;；!！?？*&#@%+="),
    min_size=1,
    max_size=3,
)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(st.text(max_size=60))
def test_name_key_is_idempotent(name):
    assert name_key(name_key(name)) == name_key(name)


@given(names)
def test_name_key_ignores_width(name):
    assert name_key(_full_width(name)) == name_key(name)


@given(names, st.lists(st.tuples(st.integers(0, 30), noise), max_size=5))
def test_name_key_ignores_inserted_spaces_and_punctuation(name, insertions):
    spelled = name
    for position, inserted in insertions:
        spelled = spelled[:position] + inserted + spelled[position:]
    assert name_key(spelled) == name_key(name)


@given(names)
def test_name_key_ignores_case(name):
    assert name_key(name.upper()) == name_key(name.lower()) == name_key(name)


@given(names, st.sampled_from(["有限公司", "股份有限公司", "集团", "（有限公司）", " 公司"]))
def test_loose_key_ignores_legal_form_suffixes(name, suffix):
    assume(loose_key(name) != name_key(name) or not any(n in name for n in ("公司", "集团")))
    assert loose_key(name + suffix) == loose_key(name)


@given(st.text(max_size=60))
def test_clean_name_is_idempotent_and_keeps_the_key(name):
    cleaned = clean_name(name)
    assert clean_name(cleaned) == cleaned
    assert name_key(cleaned) == name_key(name)


# --- import parsing (sources.py, legacy.py, imports.header) ----------------------------------


def _read_all(data: bytes) -> None:
    """What an import does with an upload before touching the database."""
    kind = sources.sniff(data)
    with contextlib.suppress(sources.FileRejected):
        imports.header(data, kind)
    for _line, cells in sources.iter_rows(data, kind):
        for value in cells:
            legacy.cell_text(value)


def _parses_or_rejects_in_chinese(data: bytes) -> None:
    try:
        _read_all(data)
    except sources.FileRejected as exc:
        assert exc.status == 400 and exc.code == "bad_file"
        assert re.search(r"[\u4e00-\u9fff]", exc.message), exc.message
        assert exc.fields == {"file": [exc.message]}


@given(st.binary(max_size=2000))
@example(b"")
@example(b"PK\x03\x04garbage")
@example(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")
@example(b"\xff\xfe\x00\x00")
@example(b"a,b\n" + b"x" * 200_000)  # one field over the csv module's size limit
def test_arbitrary_bytes_parse_or_are_rejected_in_chinese(data):
    _parses_or_rejects_in_chinese(data)


@given(
    st.text(max_size=400),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
)
def test_any_text_in_an_accepted_encoding_parses_or_is_rejected_in_chinese(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    _parses_or_rejects_in_chinese(data)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


xml_noise = st.one_of(
    st.binary(max_size=200),
    st.just(b'<?xml version="1.0"?><workbook/>'),
    st.just(b"<sheetData><row r='x'><c r='A1' t='s'><v>99</v></c></row></sheetData>"),
)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "xl/worksheets/sheet1.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/sharedStrings.xml",
                "xl/styles.xml",
                "_rels/.rels",
            ]
        ),
        xml_noise,
        max_size=4,
    ),
    xml_noise,
    xml_noise,
)
def test_damaged_workbooks_are_rejected_in_chinese(parts, content_types, workbook):
    data = _zip({"[Content_Types].xml": content_types, "xl/workbook.xml": workbook, **parts})
    _parses_or_rejects_in_chinese(data)


@given(st.lists(legacy_cells, max_size=12), st.sampled_from(["REGION", "INDUSTRY"]))
def test_legacy_rows_are_assessed_without_raising(cells, unit_line):
    columns = {field: index for index, field in enumerate(legacy.HEADERS)}
    row = legacy.LegacyRow.from_cells(7, cells, columns)
    assessed = legacy.assess(row, "武陵区人民医院急诊科", SimpleNamespace(line=unit_line))
    assert assessed.fields["name"] == "武陵区人民医院急诊科"
    assert all(isinstance(reason, str) and reason for reason in assessed.reasons)
    if assessed.usable_code is not None:
        assert codes.legacy_code_problem(assessed.usable_code) is None


# --- spreadsheet escaping (core/spreadsheets.py, core/tables.py, registrations/exports.py) ----

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
cells = st.text(max_size=30) | st.sampled_from(TRIGGERS).flatmap(
    lambda t: st.text(max_size=30).map(lambda rest: t + rest)
)


@given(cells)
def test_safe_cell_never_starts_with_a_formula_trigger(value):
    assert not safe_cell(value).startswith(TRIGGERS)


@given(cells)
def test_safe_cell_leaves_safe_text_unchanged_and_marks_the_rest(value):
    expected = "'" + value if value.startswith(TRIGGERS) else value
    assert safe_cell(value) == expected


@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.dates()))
def test_safe_cell_leaves_other_values_alone(value):
    assert safe_cell(value) == value


@given(st.lists(cells, max_size=6))
def test_problem_reports_round_trip_through_csv_escaped(values):
    out = io.StringIO()
    csv.writer(out).writerows([safe_row([n, v]) for n, v in enumerate(values)])
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert [row[1] for row in rows] == [safe_cell(v) for v in values]


def _summary_cells(rows) -> list[list]:
    """The exporter's cells for value tuples of `exports.summary_rows`, without a database."""
    values = [(name, unit, None, "submitted") for name, unit in rows]
    return exports.SummaryTable().rows(tuple(values))


# xlsx stores control characters as _xHHHH_, which openpyxl leaves as they are.
_XML_ESCAPE = re.compile(r"_x([0-9A-F]{4})_")
export_text = cells | st.sampled_from(
    ['{=HYPERLINK("http://evil.example","点击")}', "http://evil.example/", "mailto:a@b.cn"]
)


@given(st.lists(st.tuples(export_text, export_text), min_size=1, max_size=5))
def test_summary_export_writes_every_cell_as_inert_text(tmp_path_factory, rows):
    """Every free-text cell is a text cell (never a formula or a link), written as typed: a
    text cell needs no apostrophe guard in xlsx (issue 11 item 7; the CSV keeps it)."""
    path = tmp_path_factory.mktemp("export") / "summary.xlsx"
    table = exports.SummaryTable()
    tables.write_xlsx(str(path), table, [_summary_cells(rows)], lambda done, total: None, len(rows))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    written = list(sheet.iter_rows(min_row=2, values_only=False))
    for cells_of_row, row in zip(written, rows, strict=True):
        for cell, value in zip(cells_of_row[1:3], row, strict=True):
            assert cell.data_type == ("s" if value else "n") and not cell.hyperlink
            text = _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), cell.value or "")
            assert text == value
