from datetime import UTC, datetime, timedelta

import pytest

from qnwmh.accounts import totp

NOW = datetime(2026, 5, 4, 8, 0, 15, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_secret_is_160_bits_of_base32():
    secret = totp.new_secret()
    assert len(secret) == 32
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_secret_is_grouped_in_fours_for_typing():
    assert totp.grouped(SECRET) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"


def test_provisioning_uri_names_account_and_issuer():
    assert totp.provisioning_uri(SECRET, "admin-hunan") == (
        "otpauth://totp/%E9%9D%92%E5%B9%B4%E6%96%87%E6%98%8E%E5%8F%B7%E7%BD%91%E7%BB%9C%E5%8D%8F"
        "%E5%90%8C%E5%8A%9E%E5%85%AC%E7%B3%BB%E7%BB%9F:admin-hunan?secret=" + SECRET + "&issuer="
        "%E9%9D%92%E5%B9%B4%E6%96%87%E6%98%8E%E5%8F%B7%E7%BD%91%E7%BB%9C%E5%8D%8F%E5%90%8C%E5%8A"
        "%9E%E5%85%AC%E7%B3%BB%E7%BB%9F"
    )


def test_code_matches_rfc_6238_step():
    step = int(NOW.timestamp()) // 30
    assert totp.matching_time_step(SECRET, totp.code_at(SECRET, NOW), now=NOW) == step


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-60, False), (-30, True), (30, True), (60, False)]
)
def test_one_step_either_side_is_accepted(offset, accepted):
    code = totp.code_at(SECRET, NOW + timedelta(seconds=offset))
    assert (totp.matching_time_step(SECRET, code, now=NOW) is not None) is accepted


def test_code_of_the_last_accepted_step_or_older_is_refused():
    step = int(NOW.timestamp()) // 30
    current = totp.code_at(SECRET, NOW)
    previous = totp.code_at(SECRET, NOW - timedelta(seconds=30))
    assert totp.matching_time_step(SECRET, current, now=NOW, after=step) is None
    assert totp.matching_time_step(SECRET, previous, now=NOW, after=step - 1) is None
    assert totp.matching_time_step(SECRET, current, now=NOW, after=step - 1) == step


@pytest.mark.parametrize("raw", ["12345", "1234567", "abcdef", "", "１２３４５６"])
def test_only_six_ascii_digits_are_totp_codes(raw):
    assert totp.is_totp_code(raw) is False


def test_codes_are_normalized_from_full_width_and_spaces():
    assert totp.normalize_code(" １２３ ４５６ ") == "123456"
    assert totp.is_totp_code(totp.normalize_code("１２３-４５６"))


def test_recovery_codes_are_ten_distinct_and_readable():
    codes = totp.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    for code in codes:
        assert len(code) == 11 and code[5] == "-"
        assert not set(code.replace("-", "")) & set("01ilo")


def test_recovery_code_hash_ignores_case_dashes_and_spaces():
    assert totp.hash_recovery_code("ABCDE-FGHJK") == totp.hash_recovery_code(" abcde fghjk ")
    assert totp.hash_recovery_code("abcde-fghjk") != totp.hash_recovery_code("abcde-fghjm")
