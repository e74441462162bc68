"""Translation chores for the zh_Hans catalogues (one per app, in qnwmh/<app>/locale).

  python scripts/i18n.py extract [APP]      refresh every catalogue (or only APP's) from the code
  python scripts/i18n.py missing [APP]      list msgids with no Chinese yet
  python scripts/i18n.py fill FILE.json [APP]
                                            fill msgstr from {"English msgid": "中文", ...}
                                            (plural entries: {"msgid": ["中文"]})

Fuzzy guesses from makemessages are dropped: a translation is written by a person.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("qnwmh/**/locale/zh_Hans/LC_MESSAGES/django.po"))


def extract(app: str | None = None) -> None:
    if app:
        # Run inside the app: makemessages then writes only the app's own catalogue.
        app_dir = ROOT / "qnwmh" / app
        (app_dir / "locale").mkdir(exist_ok=True)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qnwmh.settings", "PYTHONPATH": str(ROOT)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "-l",
                "zh_Hans",
                "--no-obsolete",
                "--no-location",
            ],
            cwd=app_dir,
            env=env,
            check=True,
        )
        return
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
            "--ignore",
            ".venv/*",
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
            "--ignore",
            "staticfiles/*",
            "--ignore",
            "build/*",
        ],
        cwd=ROOT,
        check=True,
    )


def missing_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [
        e
        for e in po
        if not e.obsolete
        and (
            "fuzzy" in e.flags
            or (not e.msgid_plural and not e.msgstr)
            or (e.msgid_plural and not all(e.msgstr_plural.values()))
        )
    ]


def missing(app: str | None = None) -> int:
    count = 0
    for path in CATALOGUES:
        if app and f"/{app}/" not in str(path):
            continue
        for entry in missing_entries(polib.pofile(str(path))):
            print(f"{path.relative_to(ROOT)}: {entry.msgid!r}")
            count += 1
    return count


def fill(translations: dict, app: str | None = None) -> None:
    for path in CATALOGUES:
        if app and f"/{app}/" not in str(path):
            continue
        po = polib.pofile(str(path))
        changed = False
        for entry in po:
            if entry.msgid not in translations:
                continue
            value = translations[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
            if entry.msgid_plural:
                values = value if isinstance(value, list) else [value]
                entry.msgstr_plural = dict(enumerate(values))
            else:
                entry.msgstr = value
            changed = True
        if changed:
            po.save()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "extract":
        extract(sys.argv[2] if len(sys.argv) > 2 else None)
    elif command == "missing":
        sys.exit(1 if missing(sys.argv[2] if len(sys.argv) > 2 else None) else 0)
    elif command == "fill":
        fill(json.loads(Path(sys.argv[2]).read_text()), sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        sys.exit(__doc__)
