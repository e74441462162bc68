import pytest

from qnwmh.collectives import codes


def test_luhn_check_digit_known_values():
    # 7992739871 → 3 is the textbook Luhn example.
    assert codes.luhn_check_digit("7992739871") == "3"
    assert codes.luhn_check_digit("123456789") == "7"


def test_generated_codes_are_ten_digits_and_valid():
    generated = {codes.generate_code() for _ in range(300)}
    assert len(generated) == 300  # random, not a sequence that repeats
    assert all(len(c) == 10 and c.isdigit() and c[0] != "0" for c in generated)
    assert all(codes.is_valid_code(c) for c in generated)


def test_generated_codes_are_not_sequential():
    first, second = codes.generate_code(), codes.generate_code()
    assert abs(int(first) - int(second)) != 1


def test_is_valid_code_detects_a_mistyped_digit_and_a_swap():
    code = "1234567897"
    assert codes.is_valid_code(code)
    assert not codes.is_valid_code("1234567898")  # last digit wrong
    assert not codes.is_valid_code("1234557897")  # one digit changed
    assert not codes.is_valid_code("1243567897")  # two neighbours swapped


@pytest.mark.parametrize(
    "code",
    ["", "123456789", "12345678971", "0234567891", "12345a7897", "１２３４５６７８９７", None],
)
def test_is_valid_code_rejects_wrong_shapes(code):
    assert not codes.is_valid_code(code)


def test_new_unique_code_retries_on_collision():
    taken = []

    def is_taken(code):
        taken.append(code)
        return len(taken) < 3

    code = codes.new_unique_code(is_taken)
    assert len(taken) == 3
    assert code == taken[-1]


def test_new_unique_code_gives_up_loudly():
    with pytest.raises(RuntimeError):
        codes.new_unique_code(lambda code: True)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (" 4300010001 ", "4300010001"),
        ("４３０００１０００２", "4300010002"),
        (4300010001, "4300010001"),
        (4300010001.0, "4300010001"),
        ("HN2015001", "hn2015001"),
        (None, ""),
    ],
)
def test_normalize_legacy_code(raw, normalized):
    assert codes.normalize_legacy_code(raw) == normalized


@pytest.mark.parametrize("raw", ["4300010001", "hn2015001", "1234", "A1B2C3D4E5F6G7H8I9J0", 4300.0])
def test_legacy_code_usable(raw):
    assert codes.legacy_code_problem(raw) is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "缺少编码"),
        (None, "缺少编码"),
        ("1.23457E+11", "编码 1.23457E+11 已被电子表格程序改成科学计数法"),
        ("HN-0005", "编码 HN-0005 不是 4–20 位字母或数字"),
        ("123", "编码 123 不是 4–20 位字母或数字"),
        ("A1B2C3D4E5F6G7H8I9J0K", "编码 A1B2C3D4E5F6G7H8I9J0K 不是 4–20 位字母或数字"),
        ("ABCDEF", "编码 ABCDEF 不是 4–20 位字母或数字"),
        ("编码4300", "编码 编码4300 不是 4–20 位字母或数字"),
    ],
)
def test_legacy_code_problem_explains(raw, problem):
    assert codes.legacy_code_problem(raw) == problem
