"""The legacy import (seeds 000 Q3), run as a job on the messy sample files in data/."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qnwmh.accounts.models import User
from qnwmh.audit.models import AuditEntry
from qnwmh.collectives import imports
from qnwmh.collectives.enums import Ownership
from qnwmh.collectives.imports import sources
from qnwmh.collectives.models import Collective
from qnwmh.core.errors import Forbidden
from qnwmh.jobs.enums import JobStatus
from qnwmh.titles.models import Title
from qnwmh.units.enums import Line
from tests.collectives.factories import CollectiveFactory
from tests.factories import UnitFactory, UserFactory

DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ["legacy_messy.csv", "legacy_messy.xlsx"]
pytestmark = pytest.mark.django_db

EXPECTED_PROBLEMS = [
    (5, "已存在（武陵区人民医院急诊科，编码 4300010001，武陵区团委），跳过。"),
    (
        6,
        "已导入但冻结（数据合格：否）：原编码不可用：编码 1.23457E+11 "
        "已被电子表格程序改成科学计数法；已分配新编码。",
    ),
    (6, "“0736-123”未导入：请输入 11 位手机号码或带区号的固定电话，如 0736-1234567。"),
    (
        7,
        "已导入但冻结（数据合格：否）：原编码不可用：编码 HN-0005 不是 4–20 位字母或数字；"
        "已分配新编码；缺少条块（地方/行业）。",
    ),
    (10, "缺少归口单位，本行未导入。"),
    (11, "归口单位“岳阳市团委”不是您管辖的单位（或名称有误），本行未导入。"),
    (12, "归口单位“广州市团委”不是您管辖的单位（或名称有误），本行未导入。"),
    (13, "缺少集体名称，本行未导入。"),
    (14, "已导入但冻结（数据合格：否）：无法识别性质“混合所有制”。"),
    (15, "称号“优秀集体”（去年）未导入：无法识别级别或年份。"),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    def _run(actor, name, data):
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.start_import(actor, SimpleUploadedFile(name, data))
        job.refresh_from_db()
        return job

    return _run


def _problems(job) -> list[tuple[int, str]]:
    return [(p["line"], p["message"]) for p in job.result["problems"]]


@pytest.mark.parametrize("sample", SAMPLES)
def test_messy_import_reports_every_bad_row_by_line(world, run_import, sample):
    job = run_import(world.users["hunan"], sample, (DATA / sample).read_bytes())
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 14, 14)
    assert job.result["summary"] == (
        "共读取 14 行：新建集体 8 个（其中冻结 3 个），已存在跳过 1 行，未导入 4 行，空行 1 行。"
    )
    assert _problems(job) == EXPECTED_PROBLEMS
    assert job.result["counts"] == {
        "created": 8,
        "frozen": 3,
        "exists": 1,
        "rejected": 4,
        "empty": 1,
        "rows": 14,
    }
    assert job.output_name == "导入问题清单.csv"
    report = job.output_file.read().decode("utf-8-sig").splitlines()
    assert report[0] == "行号,问题"
    assert report[1] == "5,已存在（武陵区人民医院急诊科，编码 4300010001，武陵区团委），跳过。"
    assert len(report) == 1 + len(EXPECTED_PROBLEMS)


@pytest.mark.parametrize("sample", SAMPLES)
def test_messy_import_stores_clean_and_frozen_records(world, run_import, sample):
    run_import(world.users["hunan"], sample, (DATA / sample).read_bytes())
    rows = {
        c.legacy_source.rsplit(" ", 1)[1]: c
        for c in Collective.objects.select_related("unit", "user")
    }
    assert sorted(rows) == [
        "第14行",
        "第15行",
        "第16行",
        "第3行",
        "第4行",
        "第6行",
        "第7行",
        "第8行",
    ]
    clean = rows["第4行"]
    assert (
        clean.code,
        clean.name,
        clean.unit,
        clean.line,
        clean.ownership,
        clean.phone,
        clean.leader_name,
        clean.data_ok,
    ) == (
        "4300010002",
        "常德市第一人民医院心血管内科",
        world.changde,
        Line.REGION,
        Ownership.PUBLIC,
        "13907361234",
        "李明",
        True,
    )
    assert (rows["第16行"].name, rows["第16行"].unit) == ("CD银行营业部", world.changde)
    assert rows["第14行"].unit == world.wuling  # written as 常德市团委/武陵区团委
    assert rows["第8行"].line == Line.INDUSTRY
    frozen = rows["第7行"]
    assert (frozen.data_ok, frozen.line, frozen.legacy_code) == (False, "", "hn-0005")
    assert frozen.frozen_reasons == [
        "原编码不可用：编码 HN-0005 不是 4–20 位字母或数字；已分配新编码。",
        "缺少条块（地方/行业）。",
    ]
    assert frozen.code != "hn-0005" and len(frozen.code) == 10
    assert sorted(c.code for c in rows.values() if not c.data_ok) == sorted(
        [rows["第6行"].code, rows["第7行"].code, rows["第14行"].code]
    )
    assert list(
        Title.objects.order_by("year").values_list("collective__code", "level", "year", "name")
    ) == [
        ("4300010006", "NATIONAL", 2018, "全国青年文明号"),
        ("4300010001", "PROVINCIAL", 2019, "湖南省青年文明号"),
        ("4300010002", "CITY", 2020, "常德市青年文明号"),
    ]


def test_imported_logins_have_no_password_and_frozen_ones_are_disabled(world, run_import):
    run_import(world.users["hunan"], "old.csv", (DATA / "legacy_messy.csv").read_bytes())
    for collective in Collective.objects.select_related("user"):
        account = collective.user
        assert account.username == collective.code
        assert account.has_usable_password() is False
        assert account.is_active is collective.data_ok
        assert account.created_by == world.users["hunan"]


def test_import_is_audited_once_per_chunk_with_every_created_collective(world, run_import):
    """docs/decisions/004 costs a locked append per entry: a chunk writes one entry on the job
    listing what it created (collectives/imports/chunks.py)."""
    job = run_import(world.users["hunan"], "old.csv", (DATA / "legacy_messy.csv").read_bytes())
    entry = AuditEntry.objects.get(action="collective.import")
    assert (entry.actor, entry.object_id, entry.scope_path) == (
        world.users["hunan"],
        str(job.pk),
        world.hunan.path,
    )
    created = entry.changes["created"][1]  # [line, code, data qualified]
    assert entry.changes["source"] == [None, "old.csv"]
    assert sorted(code for _line, code, _ok in created) == sorted(
        Collective.objects.values_list("code", flat=True)
    )
    assert [line for line, _code, _ok in created] == [3, 4, 6, 7, 8, 14, 15, 16]
    assert [14, "4300010011", False] in created
    finished = AuditEntry.objects.get(action="collective.import_finished")
    assert finished.object_id == str(job.pk)
    assert AuditEntry.objects.filter(action="job.start", object_id=str(job.pk)).count() == 1


@pytest.mark.parametrize("sample", SAMPLES)
def test_same_file_twice_creates_nothing_new(world, run_import, sample):
    data = (DATA / sample).read_bytes()
    run_import(world.users["hunan"], sample, data)
    before = (Collective.objects.count(), User.objects.count(), Title.objects.count())
    job = run_import(world.users["hunan"], sample, data)
    assert (Collective.objects.count(), User.objects.count(), Title.objects.count()) == before
    assert job.result["counts"] == {
        "created": 0,
        "frozen": 0,
        "exists": 9,
        "rejected": 4,
        "empty": 1,
        "rows": 14,
    }
    exists = [line for line, message in _problems(job) if "跳过" in message]
    assert exists == [3, 4, 5, 6, 7, 8, 14, 15, 16]


def test_csv_and_xlsx_of_the_same_list_are_one_import(world, run_import):
    run_import(world.users["hunan"], "a.csv", (DATA / "legacy_messy.csv").read_bytes())
    job = run_import(world.users["hunan"], "b.xlsx", (DATA / "legacy_messy.xlsx").read_bytes())
    assert job.result["counts"]["created"] == 0


def test_import_by_city_admin_sees_only_its_subtree(world, run_import):
    job = run_import(world.users["wuling"], "old.csv", (DATA / "legacy_messy.csv").read_bytes())
    created = set(Collective.objects.values_list("unit__name", flat=True))
    assert created == {"武陵区团委"}
    assert (4, "缺少归口单位，本行未导入。") in [(n - 6, m) for n, m in _problems(job)]
    assert job.result["counts"]["created"] == 4


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(world, run_import, encoding):
    text = (DATA / "legacy_messy.csv").read_bytes().decode("gb18030")
    if encoding == "utf-16":
        text = text.replace(",", "\t")  # Excel's "Unicode text" is tab-separated UTF-16
    job = run_import(world.users["hunan"], "list.csv", text.encode(encoding))
    assert job.result["counts"]["created"] == 8
    assert Collective.objects.filter(name="常德市第一人民医院心血管内科").exists()


def test_legacy_code_used_by_another_account_is_frozen_with_a_new_code(world, run_import):
    UserFactory(username="4300010001", unit=world.changde)
    run_import(world.users["hunan"], "old.csv", (DATA / "legacy_messy.csv").read_bytes())
    collective = Collective.objects.get(name="武陵区人民医院急诊科")
    assert collective.code != "4300010001"
    assert collective.frozen_reasons == [
        "原编码不可用：编码 4300010001 已被其他账号使用；已分配新编码。"
    ]


def test_known_legacy_code_with_another_name_is_skipped(world, run_import):
    CollectiveFactory(
        unit=world.wuling, name="新名称急诊科", code="9999999990", legacy_code="4300010001"
    )
    job = run_import(world.users["hunan"], "old.csv", (DATA / "legacy_messy.csv").read_bytes())
    assert _problems(job)[0] == (3, "已存在（新名称急诊科，编码 9999999990，武陵区团委），跳过。")


def test_ambiguous_unit_name_is_rejected(world, run_import):
    UnitFactory(name="城关镇团委", parent=world.changde)
    UnitFactory(name="城关镇团委", parent=world.wuling, tier=3)
    data = (
        "集体名称,归口单位,条块,性质\n"
        "城关镇卫生院,城关镇团委,地方,公有\n"
        "城关镇中学,武陵区团委/城关镇团委,地方,公有\n"
    )
    job = run_import(world.users["hunan"], "a.csv", data.encode())
    assert _problems(job) == [
        (2, "您管辖的单位中有 2 个名为“城关镇团委”，请写成“上级单位/单位”，本行未导入。")
    ]
    collective = Collective.objects.get()
    assert (collective.unit.parent, collective.data_ok) == (world.wuling, True)
    assert len(collective.code) == 10  # no code column: new codes, nothing frozen for it


def test_too_many_rows_imports_nothing(world, run_import, monkeypatch):
    monkeypatch.setattr(sources, "MAX_ROWS", 13)
    job = run_import(world.users["hunan"], "old.csv", (DATA / "legacy_messy.csv").read_bytes())
    assert job.result["summary"] == "文件有 14 行，超过 200,000 行，未导入任何数据。"
    assert Collective.objects.count() == 0


def test_import_by_non_admin_forbidden(world):
    collective_user = CollectiveFactory(unit=world.wuling).user
    for actor in (collective_user, world.users["judge"]):
        with pytest.raises(Forbidden):
            imports.start_import(actor, SimpleUploadedFile("a.csv", b"x"))


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的。"),
        (b"%PDF-1.4 binary", "这不是 Excel（.xlsx）或 CSV 文件。"),
        (b"\x89PNG\r\n\x1a\nxxxx", "这不是 Excel（.xlsx）或 CSV 文件。"),
        (b"abc\x00\x01\x02def", "这不是 Excel（.xlsx）或 CSV 文件。"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "不支持旧版 .xls 文件，请先在 Excel 中另存为 .xlsx 或 CSV。",
        ),
        (
            _zip(["[Content_Types].xml", "word/document.xml"]),
            "这是压缩包或其他文档，不是 Excel（.xlsx）工作簿。",
        ),
        (_zip(["photos/a.jpg"]), "这是压缩包或其他文档，不是 Excel（.xlsx）工作簿。"),
        (b"PK\x03\x04 truncated", "Excel 文件已损坏，无法读取。"),
        (
            _zip(["[Content_Types].xml", "xl/workbook.xml"]),
            "Excel 文件已损坏，无法读取。",
        ),
        (
            "序号,名称,地址\n1,甲,乙\n".encode(),
            "找不到表头：前 10 行中须有一行列名，至少包含“集体名称”和“归口单位”。",
        ),
    ],
)
def test_non_spreadsheet_refused_at_once(world, data, message):
    with pytest.raises(sources.FileRejected) as caught:
        imports.start_import(world.users["hunan"], SimpleUploadedFile("list.xlsx", data))
    assert (caught.value.message, caught.value.fields) == (message, {"file": [message]})


def test_file_over_20_mb_refused(world):
    with pytest.raises(sources.FileRejected) as caught:
        sources.sniff(b"a" * (20 * 1024 * 1024 + 1))
    assert caught.value.message == "文件超过 20 MB，请拆分后分批导入。"
    assert sources.sniff(b"a,b\n" * 10) == sources.CSV


CHUNKED = (
    "集体名称,集体编码,归口单位,条块,性质\n"
    "甲医院急诊科,4300020001,武陵区团委,地方,公有\n"  # 2
    "乙银行营业部,4300020002,,地方,公有\n"  # 3: no unit, in the middle of a chunk of 3
    "丙学校团支部,4300020004,常德市团委,地方,公有\n"  # 4
    "甲医院 急诊科,4300020005,常德市团委,地方,公有\n"  # 5: row 2's name, next chunk
    "丁超市收银组,4300020001,常德市团委,地方,公有\n"  # 6: row 2's legacy code
    "戊车站客运组,4300020007,武陵区团委,地方,公有\n"  # 7
    "己酒店前台,4300020008,武陵区团委,地方,公有\n"  # 8
    "己酒店前台,4300020009,常德市团委,地方,公有\n"  # 9: row 8 again, same chunk
    "庚邮局柜台,4300029999,武陵区团委,地方,公有\n"  # 10: the code is someone's login
)


@pytest.mark.parametrize("chunk", [1, 3, 4, 1000])
def test_chunk_boundaries_do_not_change_any_outcome(world, run_import, monkeypatch, chunk):
    """A bad row inside a chunk, duplicates within one chunk and across chunks (by name key
    and by legacy code), a code taken by an account: the same report whatever the chunk size
    (1 is the row-by-row import)."""
    monkeypatch.setattr(imports.job, "CHUNK", chunk)
    UserFactory(username="4300029999", unit=world.changde)
    job = run_import(world.users["hunan"], "a.csv", CHUNKED.encode())
    created = {c.name: c for c in Collective.objects.select_related("unit")}
    assert sorted(created) == sorted(
        ["甲医院急诊科", "丙学校团支部", "戊车站客运组", "己酒店前台", "庚邮局柜台"]
    )
    hotel = created["己酒店前台"]
    assert _problems(job) == [
        (3, "缺少归口单位，本行未导入。"),
        (5, "已存在（甲医院急诊科，编码 4300020001，武陵区团委），跳过。"),
        (6, "已存在（甲医院急诊科，编码 4300020001，武陵区团委），跳过。"),
        (9, "已存在（己酒店前台，编码 4300020008，武陵区团委），跳过。"),
        (
            10,
            "已导入但冻结（数据合格：否）：原编码不可用：编码 4300029999 已被其他账号使用；"
            "已分配新编码。",
        ),
    ]
    assert job.result["counts"] == {
        "created": 5,
        "frozen": 1,
        "exists": 3,
        "rejected": 1,
        "empty": 0,
        "rows": 9,
    }
    post = created["庚邮局柜台"]
    assert (post.data_ok, post.user.is_active, post.legacy_code) == (False, False, "4300029999")
    assert post.code != "4300029999" and len(post.code) == 10
    assert hotel.user.username == hotel.code and not hotel.user.has_usable_password()
    assert len({c.code for c in created.values()}) == 5
    assert job.done == job.total == 9


def _valid_rows(count: int, prefix: str = "第") -> bytes:
    units = ["武陵区团委", "常德市团委", "湖南省团委"]
    lines = ["集体名称,归口单位,条块,性质,所获称号,获得年份"]
    lines += [
        f"{prefix}{n}号集体急诊科,{units[n % 3]},地方,公有,湖南省青年文明号,2019"
        for n in range(count)
    ]
    return "\n".join(lines).encode()


def test_import_queries_do_not_grow_with_rows(world, run_import):
    """Matching and storing cost a fixed number of queries per chunk (imports/chunks.py):
    3 rows and 40 rows in one chunk cost the same."""
    from tests.conftest import count_queries

    actor = world.users["hunan"]
    run_import(actor, "warm.csv", _valid_rows(1, "甲"))  # first-use lookups out of the way
    few = count_queries(lambda: run_import(actor, "a.csv", _valid_rows(3, "乙")))
    many = count_queries(lambda: run_import(actor, "b.csv", _valid_rows(40, "丙")))
    assert Collective.objects.count() == 44 and Title.objects.count() == 44
    assert many == few


def test_each_chunk_is_one_audit_entry(world, run_import, monkeypatch):
    monkeypatch.setattr(imports.job, "CHUNK", 4)
    job = run_import(world.users["hunan"], "a.csv", _valid_rows(10))
    entries = AuditEntry.objects.filter(action="collective.import").order_by("seq")
    assert [len(e.changes["created"][1]) for e in entries] == [4, 4, 2]
    assert {e.object_id for e in entries} == {str(job.pk)}


def test_a_chunk_that_meets_a_concurrent_write_is_stored_row_by_row(world, run_import, monkeypatch):
    """Someone creates a name of the chunk between the check and the insert: the chunk rolls
    back and its rows go one by one, so only that row is reported as existing."""
    from qnwmh.collectives.imports import chunks as import_chunks

    real = import_chunks._holders_by_key

    def racing(keys):
        found = real(keys)  # checked: nobody has these names yet; then someone creates one
        CollectiveFactory(unit=world.wuling, name="第1号集体急诊科", code="9999999990")
        return found

    monkeypatch.setattr(import_chunks, "_holders_by_key", racing)
    job = run_import(world.users["hunan"], "a.csv", _valid_rows(3))
    assert _problems(job) == [(3, "已存在（第1号集体急诊科，编码 9999999990，武陵区团委），跳过。")]
    assert Collective.objects.count() == 3
    assert job.result["counts"]["created"] == 2
