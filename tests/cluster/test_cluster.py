"""A whole registration cycle through the running loopback cluster (`make cluster`): nginx in
front of two gunicorn app servers, one Celery worker, PostgreSQL and Redis — plain HTTP, as
three people's browsers would do it.

The county admin creates a collective; the collective sets its password, saves and submits its
registration; the county pre-approves and the province approves; the county imports a CSV of
collectives (the upload lands on one app server, a Celery worker imports it, the job page shows
the progress on either server); the province exports the summary table and downloads it. Every
answer names the app server that gave it (X-Served-By): the test checks that both served, that
each person's session went on across them, and that the export file is the same from both.

The admins log in as admins must: the one-time password printed by `make cluster`, then their
own password, then two-factor login set up with a TOTP authenticator (pyotp here). What the test
set is kept in var/cluster/test-accounts.json, so it can run again against the same cluster;
`deploy/cluster reset` starts everything afresh.

    make cluster
    QNWMH_CLUSTER_URL=http://127.0.0.1:8100 .venv/bin/pytest tests/cluster -m cluster
"""

import html
import io
import json
import os
import re
import secrets
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import openpyxl
import pyotp
import pytest

from tests.cluster.browser import Browser, Page

CLUSTER_URL = os.environ.get("QNWMH_CLUSTER_URL", "")
CLUSTER_DIR = Path(
    os.environ.get("QNWMH_CLUSTER_DIR", Path(__file__).resolve().parents[2] / "var" / "cluster")
)
SERVERS = {"app1", "app2"}
CYCLE = "2025—2026年度全国青年文明号"
COUNTY, PROVINCE = "hn-changde-wuling", "hunan"
JOB_TIMEOUT_SECONDS = 120

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not CLUSTER_URL, reason="QNWMH_CLUSTER_URL is not set (make cluster)"),
]


class Accounts:
    """The credentials the test knows: one-time passwords from `make cluster`
    (demo-logins.txt) until it sets its own, then what it set (test-accounts.json)."""

    def __init__(self, directory: Path):
        self.file = directory / "test-accounts.json"
        self.known = json.loads(self.file.read_text()) if self.file.exists() else {}
        logins = directory / "demo-logins.txt"
        self.one_time = dict(
            line.split()[:2] for line in logins.read_text().splitlines() if line.startswith("  ")
        )

    def __getitem__(self, username: str) -> dict:
        if username not in self.known:
            password = self.one_time.get(username, "")
            if not password or password.startswith("（"):
                pytest.fail(
                    f"{username} has a password this test did not set: `deploy/cluster reset` "
                    "then `make cluster` start afresh"
                )
            self.known[username] = {"password": password}
        return self.known[username]

    def save(self) -> None:
        self.file.write_text(json.dumps(self.known, indent=1))
        self.file.chmod(0o600)


def _new_password() -> str:
    return f"Qn#{secrets.token_hex(5)}-Ab9"


def _code(account: dict) -> str:
    """The authenticator's code, never one of a time step already used (a code works once)."""
    totp = pyotp.TOTP(account["totp_secret"])
    step = max(totp.timecode(datetime.now()), account.get("last_step", -1) + 1)
    # The server accepts the next step too (clock drift); beyond that, wait for it.
    while step > totp.timecode(datetime.now()) + 1:
        time.sleep(1)
    account["last_step"] = step
    return totp.generate_otp(step)


def _change_password(browser: Browser, page: Page, account: dict, accounts) -> Page:
    new = _new_password()
    form = page.form(lambda f: "new_password" in f.values)
    form.fill(old_password=account["password"], new_password=new, new_password_again=new)
    page = browser.submit(form, page.path)
    assert "/accounts/password/" not in page.path, page.text
    account["password"] = new
    if accounts is not None:
        accounts.save()
    return page


def _set_up_two_factor(browser: Browser, page: Page, account: dict, accounts) -> Page:
    """What an admin does on the two-factor page: start, type the key into the app, confirm."""
    if "confirm-otp" not in page.text:
        page = browser.submit(page.form(lambda f: f.action.endswith("/setup/")), page.path)
    # The key, shown in groups of four for typing into the authenticator app.
    key = re.search(r"<code>([A-Z2-7]{4}(?: [A-Z2-7]{4})+)</code>", page.text)
    assert key, page.text
    account["totp_secret"] = key.group(1).replace(" ", "")
    account.pop("last_step", None)
    form = page.form(lambda f: "confirm-otp" in f.values).fill(**{"confirm-otp": _code(account)})
    page = browser.submit(form, page.path)
    assert (page.status, page.path) == (200, "/accounts/two-factor/confirm/"), page.text
    accounts.save()
    return page


def _log_in(browser: Browser, username: str, account: dict, accounts=None) -> Page:
    """The login page, then whatever the account must do first: set its own password, set up
    two-factor login, or give the code."""
    page = browser.get("/accounts/login/")
    form = page.form(lambda f: "username" in f.values)
    page = browser.submit(form.fill(username=username, password=account["password"]), page.path)
    for _ in range(4):
        if page.path.startswith("/accounts/password/"):
            page = _change_password(browser, page, account, accounts)
        elif page.path.startswith("/accounts/login/code/"):
            form = page.form(lambda f: "otp" in f.values).fill(otp=_code(account))
            page = browser.submit(form, page.path)
            accounts.save()
        elif page.path == "/accounts/two-factor/":
            page = _set_up_two_factor(browser, page, account, accounts)
        else:
            break
    assert page.status == 200, page.text
    assert 'action="/accounts/logout/"' in page.text, f"{username} is not logged in: {page.text}"
    browser.logged_in_at = len(browser.log)
    return page


def _state(page: Page) -> str:
    return re.search(r'<span class="badge [a-z]*">([^<]+)</span>', page.text).group(1)


def _job_path(page: Page) -> str:
    assert re.fullmatch(r"/jobs/\d+/", page.path), (page.path, page.text)
    return page.path


def _wait_for_job(browser: Browser, path: str) -> Page:
    """Poll the job's status fragment as the page's htmx does, until the worker is done."""
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    while True:
        fragment = browser.get(path, headers={"HX-Request": "true"})
        assert fragment.status == 200, fragment.text
        if "hx-trigger" not in fragment.text:
            assert 'class="badge ok"' in fragment.text, fragment.text
            return browser.get(path)
        assert time.monotonic() < deadline, f"the job at {path} did not finish"
        time.sleep(0.25)


def _create_collective(county: Browser, name: str) -> tuple[str, str]:
    page = county.get("/collectives/new/")
    form = page.form(lambda f: "name" in f.values)
    form.fill(name=name, line="REGION", ownership="PUBLIC", industry="卫生健康")
    form.pick_unit("unit", "武陵区团委")
    page = county.submit(form, page.path)
    if 'name="confirmed"' in page.text:  # near-duplicates of earlier runs: "create anyway"
        page = county.submit(page.form(lambda f: "confirmed" in f.values), page.path)
    code, one_time_password = map(html.unescape, re.findall(r"<dd><code>([^<]+)</code>", page.text))
    assert re.fullmatch(r"\d{10}", code)
    return code, one_time_password


def _register(phone: Browser) -> int:
    page = phone.get("/registrations/mine/")
    cycle_link = next(a for a in page.links if re.fullmatch(r"/registrations/mine/\d+/", a))
    page = phone.get(cycle_link)
    form = page.form(lambda f: "member_count" in f.values)
    form.fill(
        member_count=20,
        youth_count=12,
        leader_name="张青",
        leader_birth_date="1990-05-04",
        ownership="PUBLIC",
        industry="卫生健康",
        phone="0736-7654321",
        goals="儿科窗口候诊时间不超过 30 分钟，群众满意率 95% 以上。",
        measures="弹性排班，夜间门诊。",
        commitment="首问负责，限时办结。",
        **{
            "titles-0-level": "PROVINCIAL",
            "titles-0-year": 2023,
            "titles-0-name": "湖南省青年文明号",
        },
    )
    page = phone.submit(form, page.path, button=("action", "save"))
    assert page.path == cycle_link and "草稿已保存" in page.text, page.text
    page = phone.submit(
        page.form(lambda f: "member_count" in f.values), page.path, button=("action", "submit")
    )
    assert page.path.endswith("/submit/"), page.text
    page = phone.submit(page.form(lambda f: f.action == ""), page.path)
    assert "已提交，请等待归口单位审核。" in page.text, page.text
    return int(re.fullmatch(r"/registrations/(\d+)/", page.path).group(1))


def _decide(admin: Browser, registration: int, action: str) -> Page:
    path = f"/registrations/{registration}/"
    page = admin.get(path)
    return admin.submit(page.form(lambda f: f.action.endswith(f"/{action}/")), path)


def _from_both(browser: Browser, path: str) -> dict[str, Page]:
    """GET a page until each app server has answered it once (nginx alternates)."""
    pages: dict[str, Page] = {}
    for _ in range(8):
        page = browser.get(path)
        assert page.status == 200, page.text
        pages[page.served_by] = page
        if set(pages) == SERVERS:
            break
    return pages


def _import_collectives(county: Browser, names: list[str]) -> tuple[str, dict[str, Page]]:
    """Upload the CSV; then the finished job's page from each app server. Returns the server
    that took the upload and those pages."""
    rows = ["集体名称,归口单位,条块,行业,性质,号长,联系电话"]
    rows += [f"{name},武陵区团委,地方,卫生健康,公有,李青,0736-1234567" for name in names]
    data = ("\r\n".join(rows) + "\r\n").encode("utf-8-sig")
    page = county.get("/collectives/import/")
    form = page.form(lambda f: "file" in f.file_fields)
    page = county.submit(form, page.path, files={"file": ("集体.csv", data, "text/csv")})
    upload = next(h for h in reversed(county.log) if h.method == "POST")
    assert upload.path == "/collectives/import/" and upload.status in (302, 303), upload
    path = _job_path(page)
    _wait_for_job(county, path)
    return upload.served_by, _from_both(county, path)


def _export(province: Browser) -> tuple[str, Page]:
    page = province.get("/registrations/export/")
    form = page.form(lambda f: "cycle" in f.options).choose("cycle", CYCLE)
    page = _wait_for_job(province, _job_path(province.submit(form, page.path)))
    download = next(a for a in page.links if re.fullmatch(r"/jobs/\d+/download/", a))
    return download, page


def _rows(workbook_bytes: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _download_from_both(province: Browser, path: str) -> dict[str, bytes]:
    """The export file as each app server sends it."""
    pages = _from_both(province, path)
    assert all(".xlsx" in p.headers["Content-Disposition"] for p in pages.values())
    return {server: page.body for server, page in pages.items()}


def _servers_per_session(browser: Browser) -> list[set[str]]:
    """For each session cookie the browser held, the app servers that answered it, counting
    only the requests after the login (pages that needed the session)."""
    served: dict[str, set[str]] = {}
    for hop in browser.log[browser.logged_in_at :]:
        if hop.session and not hop.path.startswith("/static/"):
            served.setdefault(hop.session, set()).add(hop.served_by)
    return list(served.values())


def test_a_whole_registration_cycle_through_nginx_and_both_app_servers():
    accounts = Accounts(CLUSTER_DIR)
    county, phone, province = (Browser(CLUSTER_URL) for _ in range(3))
    stamp = datetime.now().strftime("%m%d%H%M%S")

    health = county.get("/healthz")
    assert (health.status, health.text) == (200, "ok")
    _log_in(county, COUNTY, accounts[COUNTY], accounts)
    _log_in(province, PROVINCE, accounts[PROVINCE], accounts)

    # Static files come from nginx itself (no app server named), cacheable for a year.
    stylesheet = county.get(county.get("/").stylesheets[0])
    assert (stylesheet.status, stylesheet.served_by) == (200, "")
    assert stylesheet.headers["Cache-Control"] == "public, max-age=31536000, immutable"

    # The county creates a collective; the collective sets its password and registers.
    name = f"集群测试{stamp}号医院儿科"
    code, one_time_password = _create_collective(county, name)
    collective = {"password": one_time_password}
    _log_in(phone, code, collective)
    registration = _register(phone)

    # The county pre-approves, the province approves: a creating collective (创建集体).
    assert _state(_decide(county, registration, "pre-approve")) == "初审通过"
    assert _state(_decide(province, registration, "approve")) == "创建集体"
    assert _state(phone.get(f"/registrations/{registration}/")) == "创建集体"

    # An import: uploaded through one server, run by the worker, its progress on both.
    imported = [f"集群导入{stamp}号急诊科", f"集群导入{stamp}号药剂科"]
    uploaded_to, jobs = _import_collectives(county, imported)
    assert uploaded_to in SERVERS and set(jobs) == SERVERS
    summary = "共读取 2 行：新建集体 2 个（其中冻结 0 个），已存在跳过 0 行，未导入 0 行"
    assert all(summary in job.text for job in jobs.values()), jobs
    found = county.get("/collectives/?" + urlencode({"q": f"集群导入{stamp}"}))
    assert all(n in found.text for n in imported), found.text

    # The summary export: written by the worker, the same file from either app server.
    download, job = _export(province)
    assert re.search(r"<p>已导出 \d+ 个集体。</p>", job.text), job.text
    files = _download_from_both(province, download)
    assert set(files) == SERVERS
    assert files["app1"] == files["app2"]
    rows = _rows(files["app1"])
    # The 申报集体汇总表 of seed 004 附件2: 序号, 集体名称, 归口单位, … (no code column).
    assert [row[1] for row in rows if len(row) > 1 and row[1] == name] == [name]

    # Both app servers answered, and every session went on across them: never sent back to
    # the login page once logged in.
    hops = county.log + phone.log + province.log
    assert {hop.served_by for hop in hops if not hop.path.startswith("/static/")} == SERVERS
    for browser in (county, phone, province):
        assert SERVERS in _servers_per_session(browser)
        later = browser.log[browser.logged_in_at :]
        assert [h.path for h in later if h.path.startswith("/accounts/login")] == []
