import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from qnwmh.accounts.credentials import generate_one_time_password
from qnwmh.accounts.models import User
from qnwmh.accounts.validators import count_character_classes


@pytest.mark.parametrize(
    ("password", "classes"),
    [("abcdefgh", 1), ("abcdEFGH", 2), ("abcdEF12", 3), ("abcD1#gh", 4), ("青年Abc12", 4)],
)
def test_character_classes_are_counted(password, classes):
    assert count_character_classes(password) == classes


def _errors(password, username="zhangsan"):
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        return exc.messages
    return []


def test_policy_accepts_a_strong_password():
    assert _errors("Qingnian#2026") == []


def test_policy_refuses_short_passwords_in_chinese():
    assert _errors("Ab1#xyz") == ["此密码太短，至少要包含 8 个字符。"]


def test_policy_refuses_two_character_classes():
    assert _errors("qingnianwenming2026") == [
        "密码须至少包含小写字母、大写字母、数字、符号中的 3 类。"
    ]


def test_policy_refuses_passwords_containing_the_username():
    assert _errors("Zhangsan#2026") == ["密码不能包含用户名。"]


def test_policy_refuses_common_passwords():
    assert "这个密码太常见了。" in _errors("Password1")


def test_one_time_passwords_meet_the_policy_and_differ():
    passwords = {generate_one_time_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert _errors(password) == []


def test_production_password_hasher_is_argon2():
    from qnwmh import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
