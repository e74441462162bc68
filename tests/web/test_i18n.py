"""Chinese first: every message has a Chinese translation, and the catalogues are up to date
with the code (a new message without Chinese fails here)."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from i18n import missing_entries  # noqa: E402


def _catalogues(root: Path) -> dict[str, polib.POFile]:
    return {
        str(p.relative_to(root)): polib.pofile(str(p))
        for p in root.glob("qnwmh/**/locale/zh_Hans/LC_MESSAGES/django.po")
    }


def test_every_message_has_chinese():
    missing = {
        name: [e.msgid for e in missing_entries(po)] for name, po in _catalogues(ROOT).items()
    }
    assert {k: v for k, v in missing.items() if v} == {}


def test_catalogues_hold_every_message_of_the_code(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT / "qnwmh", copy / "qnwmh", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    (copy / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "i18n.py", copy / "scripts" / "i18n.py")
    subprocess.run(
        [sys.executable, "scripts/i18n.py", "extract"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "QNWMH_VAR_DIR": str(tmp_path)},
    )
    missing = {
        name: [e.msgid for e in missing_entries(po)] for name, po in _catalogues(copy).items()
    }
    assert {k: v for k, v in missing.items() if v} == {}


def test_pages_render_in_chinese(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert "青年文明号网络协同办公系统" in body and "用户名或集体编码" in body
