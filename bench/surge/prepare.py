"""The deadline surge's people, written straight into the cluster's database (run by
bench/surge/run.py in the cluster's environment, after `make cluster` loaded the demo):

- `--collectives` fresh collectives of the demo's Hunan units, each with its login and an API
  token (collectives register through API v1 in the surge: PUT the draft, POST submit). The
  accounts get an unusable password and a token made here, so no Argon2 hash is computed per
  account and no login is needed (a million logins are not what the deadline looks like: the
  collectives logged in earlier, their tokens last 8 hours).
- One business admin per level (national, Hunan, 常德市, 武陵区) with two-factor login
  confirmed and a logged-in web session, for the review queue and the lists.

Every run adds a new batch (names carry the batch number), so a collective submits once, as
at the real deadline. The demo's own accounts are not touched (the cluster test logs in with
them). Writes var/cluster/surge/people.json (0600): the cycle, the tokens and the sessions.

    python -m bench.surge.prepare --collectives 32000 --out var/cluster/surge/people.json
"""

import argparse
import json
import os
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

CYCLE_NAME = "2025—2026年度全国青年文明号"
# The admins of the surge: (username, the demo's unit of the same level by its admin).
ADMINS = [
    ("surge-national", "national"),
    ("surge-hunan", "hunan"),
    ("surge-changde", "hn-changde"),
    ("surge-wuling", "hn-changde-wuling"),
]
CHUNK = 2000


def _codes(count: int, taken: set[str]):
    from qnwmh.collectives.codes import luhn_check_digit

    rng = secrets.SystemRandom()
    while count:
        body = str(rng.randrange(100_000_000, 1_000_000_000))
        code = body + luhn_check_digit(body)
        if code not in taken:
            taken.add(code)
            count -= 1
            yield code


def _batch_number() -> int:
    from qnwmh.collectives.models import Collective

    return Collective.objects.filter(name__startswith="截止冲刺").values("name").count() + 1


def make_collectives(cycle, count: int) -> list[str]:
    """`count` collectives with an account and an API token each; returns the raw tokens."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from qnwmh.accounts.enums import AccountKind
    from qnwmh.accounts.models import ApiToken, User, hash_token
    from qnwmh.collectives.models import Collective
    from qnwmh.collectives.names import loose_key, name_key
    from qnwmh.units.models import Unit

    units = [u for u in Unit.objects.subtree_of(cycle.unit).order_by("path") if u.depth >= 2]
    taken = set(Collective.objects.values_list("code", flat=True))
    batch = f"{int(time.time()) % 100000:05d}"
    now = timezone.now()
    expires = now + timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)
    tokens: list[str] = []
    codes = _codes(count, taken)
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        with transaction.atomic():
            users, collectives = [], []
            for i in range(start, start + size):
                code, unit = next(codes), units[i % len(units)]
                name = f"截止冲刺{batch}批{unit.name}第{i:06d}号窗口"
                users.append(
                    User(
                        username=code,
                        display_name=name,
                        kind=AccountKind.COLLECTIVE,
                        unit=unit,
                        password=f"!{secrets.token_hex(20)}",
                        must_change_password=False,
                        password_changed_at=now,
                    )
                )
                collectives.append(
                    Collective(
                        code=code,
                        name=name,
                        name_key=name_key(name),
                        loose_key=loose_key(name),
                        unit=unit,
                        unit_path=unit.path,
                        line=unit.line,
                        industry="卫生健康",
                        ownership="PUBLIC",
                        leader_name="张青",
                        phone="0736-1234567",
                    )
                )
            User.objects.bulk_create(users)
            raw = [secrets.token_urlsafe(32) for _ in users]
            for user, collective in zip(users, collectives, strict=True):
                collective.user = user
            Collective.objects.bulk_create(collectives)
            ApiToken.objects.bulk_create(
                ApiToken(user=user, key_hash=hash_token(key), expires_at=expires)
                for user, key in zip(users, raw, strict=True)
            )
            tokens += raw
        print(f"== {start + size:,} collectives", file=sys.stderr)
    return tokens


def admin_sessions() -> list[dict]:
    """Each surge admin (created once) logged in: the session cookie a browser would hold."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from qnwmh.accounts.enums import AccountKind, AdminRole
    from qnwmh.accounts.models import TwoFactor, User

    sessions = []
    for username, demo_admin in ADMINS:
        unit = User.objects.get(username=demo_admin).unit
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": f"冲刺测试（{unit.name}）",
                "kind": AccountKind.ADMIN,
                "admin_role": AdminRole.BUSINESS,
                "unit": unit,
                "password": f"!{secrets.token_hex(20)}",
                "must_change_password": False,
                "password_changed_at": timezone.now(),
            },
        )
        if not TwoFactor.objects.filter(user=user).exists():
            two_factor = TwoFactor(user=user, confirmed_at=timezone.now())
            two_factor.secret = "".join(
                secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32)
            )
            two_factor.save()
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        sessions.append(
            {"username": username, "unit": unit.pk, "cookie": f"{cookie.key}={cookie.value}"}
        )
    return sessions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collectives", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qnwmh.settings")
    django.setup()
    from qnwmh.cycles.models import Cycle

    cycle = Cycle.objects.get(name=CYCLE_NAME)
    started = time.monotonic()
    people = {
        "cycle": cycle.pk,
        "admins": admin_sessions(),
        "tokens": make_collectives(cycle, args.collectives),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.touch(mode=0o600)
    args.out.write_text(json.dumps(people))
    print(
        f"== {args.collectives:,} collectives and {len(people['admins'])} admin sessions "
        f"in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
