"""Masking personal data before it reaches the audit log (qnwmh/audit/masking.py)."""

import pytest

from qnwmh.audit.domain import record
from qnwmh.audit.masking import is_personal_key, is_secret_key, mask, mask_text, mask_whole

pytestmark = pytest.mark.django_db(databases=[])

SHA256 = "13812345678a0c5e1f0a9b7d3e2c4f6a8b0d1e3f5a7c9e0b2d4f6a8c0e2a4c6e8"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "138****5678"),
        ("19912345678", "199****5678"),
        ("手机13812345678，请回电", "手机138****5678，请回电"),
        ("138-1234-5678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 13812345678", "+86 138****5678"),
        ("008613812345678", "0086138****5678"),
        ("0736-1234567", "0736-***4567"),
        ("010-12345678", "010-****5678"),
        ("(0736)1234567", "(0736)***4567"),
        ("07361234567", "0736***4567"),
        ("电话：0736 7221234 转 801", "电话：0736 ***1234 转 801"),
        ("430102199001011234", "430102********1234"),
        ("43010219900101123X", "430102********123X"),
        ("身份证号430102199001011234。", "身份证号430102********1234。"),
        ("zhangsan@example.com", "z***@example.com"),
        ("请发到 li.si+work@mail.example.com.cn 谢谢", "请发到 l***@mail.example.com.cn 谢谢"),
        ("张三（13812345678，zs@qq.com）", "张三（138****5678，z***@qq.com）"),
    ],
)
def test_mask_text_masks_personal_data(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "",
        "常德市武陵区人民医院急诊科",
        "12812345678",  # not a mobile prefix
        "138123456789",  # twelve digits
        "1381234567",  # ten digits: a collective code, not a phone
        "8061398585",
        "2026-11-23T14:54:00.123456+08:00",
        "2026-01-05",
        "430102199013011234",  # month 13: not an ID number
        "12345678901234567890",
        SHA256,
        "0.07361234567",
        "user@localhost",
        "138****5678",
        "0736-***4567",
        "430102********1234",
        "z***@example.com",
    ],
)
def test_mask_text_leaves_other_text_alone(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "text", ["13812345678", "0736-1234567", "430102199001011234", "a@b.cn", "x 010 12345678 y"]
)
def test_masking_twice_changes_nothing_more(text):
    assert mask_text(mask_text(text)) == mask_text(text)
    assert mask(mask({"phone": text})) == mask({"phone": text})


@pytest.mark.parametrize(
    ("key", "personal"),
    [
        ("phone", True),
        ("contact_phone", True),
        ("leaderMobile", True),
        ("tel", True),
        ("tel_no", True),
        ("telephone", True),
        ("phones", True),
        ("email", True),
        ("e_mail", True),
        ("id_number", True),
        ("idNumber", True),
        ("id_no", True),
        ("idcard", True),
        ("id_card", True),
        ("联系电话", True),
        ("手机号码", True),
        ("身份证号", True),
        ("证件号码", True),
        ("邮箱", True),
        ("hotel", False),
        ("title", False),
        ("id", False),
        ("object_id", False),
        ("identity_verified", False),
        ("name", False),
    ],
)
def test_is_personal_key(key, personal):
    assert is_personal_key(key) is personal


@pytest.mark.parametrize(
    ("key", "value", "secret"),
    [
        ("password", ["old", "new"], True),
        ("new_password", [None, "Secret-1"], True),
        ("one_time_password", "x", True),
        ("api_token", "abc", True),
        ("tokens", ["a"], True),
        ("otp_secret", "JBSWY3DP", True),
        ("otp", "123456", True),
        ("TOTP", "123456", True),
        ("must_change_password", [True, False], False),
        ("password_changed_at", [None, "2026-11-23T08:00:00+08:00"], False),
        ("token_expires_at", "2026-11-23", False),
        ("otp_required", [False, True], False),
        ("name", "password", False),
    ],
)
def test_is_secret_key(key, value, secret):
    assert is_secret_key(key, value) is secret


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (None, None),
        ("", ""),
        (True, True),
        ("13812345678", "138****5678"),
        (13812345678, "138****5678"),
        ("7221234", "7*****4"),
        ("12345", "1***5"),
        ("123", "***"),
        ("not-an-email", "not******ail"),
        ("138****5678", "138****5678"),
        (["", "0736-7221234"], ["", "0736-***1234"]),
        ({"home": "7221234"}, {"home": "7*****4"}),
    ],
)
def test_mask_whole_masks_any_shape(value, masked):
    assert mask_whole(value) == masked


def test_mask_changes_by_name_and_by_shape():
    changes = {
        "phone": ["", "0736-7221234"],
        "contact_phone": ["12345", "7221234"],
        "leader_mobile": [None, 13812345678],
        "email": [None, "not-an-email"],
        "身份证号": [None, "430102199001011234"],
        "name": ["张三", "李四 13812345678"],
        "member_count": [20, 30],
        "data_ok": [False, True],
        "password": ["a", "b"],
        "api_token": [None, "t0k3n"],
        "must_change_password": [True, False],
        "rows": [{"tel": "7221234", "note": "zs@qq.com"}],
        "hash": [None, SHA256],
    }
    assert mask(changes) == {
        "phone": ["", "0736-***1234"],
        "contact_phone": ["1***5", "7*****4"],
        "leader_mobile": [None, "138****5678"],
        "email": [None, "not******ail"],
        "身份证号": [None, "430102********1234"],
        "name": ["张三", "李四 138****5678"],
        "member_count": [20, 30],
        "data_ok": [False, True],
        "must_change_password": [True, False],
        "rows": [{"tel": "7*****4", "note": "z***@qq.com"}],
        "hash": [None, SHA256],
    }


@pytest.mark.django_db
def test_record_stores_masked_changes_and_object_repr(world):
    entry = record(
        "collective.update",
        actor=world.users["changde"],
        object_repr="急诊科（13812345678）",
        changes={"phone": ["", "0736-7221234"], "password": ["x", "y"], "count": [1, 2]},
    )
    entry.refresh_from_db()
    assert (entry.object_repr, entry.changes) == (
        "急诊科（138****5678）",
        {"phone": ["", "0736-***1234"], "count": [1, 2]},
    )
