"""One whole cycle through the pages, in a real browser (Debian's Chromium driven by
Playwright), as the three users would: a county admin creates a collective, the collective sets
its password and registers, the county admin returns it, the collective corrects and resubmits,
the county admin pre-approves, the province approves, and both query and export."""

import os
import re
import shutil
from datetime import date

import pytest

from qnwmh.accounts.models import User
from qnwmh.registrations.enums import RegistrationState
from qnwmh.registrations.models import Registration
from qnwmh.web import demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ADMIN_PASSWORD = "Walk-Through#2026"
COLLECTIVE_PASSWORD = "Jizhen#Walk2026"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
        reason="Debian's chromium is not installed: scripts/browser-deps installs it as root "
        "with apt (make test runs it); under CI=true this test runs and fails without it",
    ),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # plain synchronous code all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def demo_world(transactional_db):
    demo.load()
    for username in ("hn-changde-wuling", "hunan"):
        user = User.objects.get(username=username)
        user.set_password(ADMIN_PASSWORD)
        user.must_change_password = False
        user.save()


def _page(browser, live_server, errors):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def _login(page, username, password):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def _choose(page, select, text):
    """Select the option whose label contains `text` (labels may be indented)."""
    option = page.locator(f"{select} option", has_text=text).first
    page.select_option(select, option.get_attribute("value"))


def _pick_unit(page, field, text):
    """Type part of the unit's name into the picker and choose the match htmx brings back."""
    page.fill(f"input[name={field}_name]", text)
    choice = page.locator(f"label.unit-choice:has-text('{text}') input[name={field}]").first
    choice.check()


def test_a_whole_cycle_through_the_pages(browser, live_server, demo_world):
    errors: list[str] = []
    county = _page(browser, live_server, errors)
    _login(county, "hn-changde-wuling", ADMIN_PASSWORD)

    # The county admin creates the collective and hands over the one-time credentials.
    county.goto("/collectives/new/")
    county.fill("input[name=name]", "武陵区第二人民医院儿科")
    _pick_unit(county, "unit", "武陵区团委")
    county.select_option("select[name=line]", "REGION")
    county.select_option("select[name=ownership]", "PUBLIC")
    county.fill("input[name=industry]", "卫生健康")
    county.click("main form button[type=submit]")
    credentials = county.locator("dl.credentials code")
    code, one_time_password = credentials.nth(0).inner_text(), credentials.nth(1).inner_text()
    assert re.fullmatch(r"\d{10}", code)

    # The collective logs in on a phone, sets its own password and registers.
    phone = _page(browser, live_server, errors)
    _login(phone, code, one_time_password)
    assert phone.url.endswith("/accounts/password/")
    phone.fill("input[name=old_password]", one_time_password)
    phone.fill("input[name=new_password]", COLLECTIVE_PASSWORD)
    phone.fill("input[name=new_password_again]", COLLECTIVE_PASSWORD)
    phone.click("main form button[type=submit]")
    phone.goto("/registrations/mine/")
    phone.click("main a[href^='/registrations/mine/']")
    phone.fill("input[name=member_count]", "5")
    phone.fill("input[name=youth_count]", "4")
    phone.fill("input[name=leader_name]", "张青")
    phone.fill("input[name=leader_birth_date]", "1990-05-04")
    phone.select_option("select[name=ownership]", "PUBLIC")
    phone.fill("input[name=industry]", "卫生健康")
    phone.fill("input[name=phone]", "0736-7654321")
    phone.select_option("select[name$='-0-level']", "PROVINCIAL")
    phone.fill("input[name$='-0-year']", "2023")
    phone.fill("input[name$='-0-name']", "湖南省青年文明号")
    phone.fill("textarea[name=goals]", "打造群众满意的儿科窗口。")
    phone.fill("textarea[name=measures]", "弹性排班，夜间门诊。")
    phone.fill("textarea[name=commitment]", "首问负责，限时办结。")
    phone.click("button[name=action][value=save]")
    # Five members is below the minimum of six: the live panel says so and submitting fails.
    assert "少于" in phone.locator("#eligibility").inner_text()
    phone.fill("input[name=member_count]", "20")
    phone.fill("input[name=youth_count]", "12")
    phone.click("button[name=action][value=submit]")
    phone.click("main form button[type=submit]:has-text('确认提交')")
    registration = Registration.objects.get(collective__code=code)
    assert registration.state == RegistrationState.SUBMITTED

    # The county admin returns it with a reason; the collective sees it, corrects, resubmits.
    county.goto(f"/registrations/{registration.pk}/")
    county.click("summary:has-text('退回')")
    county.fill("textarea[name='return-reason']", "创建目标请写具体的服务指标。")
    county.click("form[action$='/return/'] button[type=submit]")
    registration.refresh_from_db()
    assert registration.state == RegistrationState.RETURNED
    phone.goto(f"/registrations/mine/{registration.cycle_id}/")
    assert "创建目标请写具体的服务指标。" in phone.content()
    phone.fill("textarea[name=goals]", "儿科窗口候诊时间不超过 30 分钟，群众满意率 95% 以上。")
    phone.click("button[name=action][value=submit]")
    phone.click("main form button[type=submit]:has-text('确认提交')")
    registration.refresh_from_db()
    assert registration.state == RegistrationState.SUBMITTED

    # The county pre-approves; the province approves: the collective is now 创建集体.
    county.goto(f"/registrations/{registration.pk}/")
    county.click("form[action$='/pre-approve/'] button[type=submit]")
    province = _page(browser, live_server, errors)
    _login(province, "hunan", ADMIN_PASSWORD)
    province.goto(f"/registrations/{registration.pk}/")
    province.click("form[action$='/approve/'] button[type=submit]")
    registration.refresh_from_db()
    assert registration.state == RegistrationState.APPROVED
    assert list(registration.history.values_list("to_state", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "pre_approved",
        "approved",
    ]

    # 进度查询 by name, and the summary table export with its download.
    province.goto("/registrations/progress/?q=第二人民医院")
    assert "创建集体" in province.locator("main").inner_text()
    province.goto("/registrations/export/")
    _choose(province, "select[name=cycle]", "2025—2026")
    province.click("main form button[type=submit]")
    with province.expect_download() as download:
        province.click("a[href$='/download/']")
    assert download.value.suggested_filename.endswith(".xlsx")

    # The collective's phone shows the outcome.
    phone.goto("/registrations/mine/")
    assert "创建集体" in phone.locator("main").inner_text()
    assert errors == []
    assert date.today().year >= 2026
