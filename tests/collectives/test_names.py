import pytest

from qnwmh.collectives.names import clean_name, loose_key, name_key


@pytest.mark.parametrize(
    "spelling",
    [
        "武陵区人民医院急诊科",
        "武陵区人民医院（急诊科）",
        "武陵区人民医院(急诊科)",
        " 武陵区 人民医院  急诊科 ",
        "武陵区人民医院\u3000急诊科",
        "武陵区人民医院·急诊科",
        "武陵区人民医院、急诊科。",
        "“武陵区人民医院”急诊科",
        "武陵区人民医院—急诊科",
        "武陵区人民医院-急诊科",
        "武陵区人民医院_急诊科",
        "武陵区人民医院/急诊科",
        "【武陵区人民医院】急诊科",
        "[武陵区人民医院]急诊科",
        "武陵区人民医院，急诊科",
        "‘武陵区人民医院’急诊科",
        "武陵区人民医院\t急诊科\n",
    ],
)
def test_name_key_ignores_spacing_punctuation_and_width(spelling):
    assert name_key(spelling) == "武陵区人民医院急诊科"


def test_name_key_folds_full_width_latin_and_case():
    assert name_key("ＣＤ银行 Ｖｉｐ营业部") == "cd银行vip营业部"
    assert name_key("CD银行VIP营业部") == "cd银行vip营业部"


def test_name_key_folds_full_width_digits():
    assert name_key("长沙市地铁１号线客运部") == "长沙市地铁1号线客运部"


def test_name_key_keeps_what_distinguishes():
    assert name_key("长沙市地铁1号线客运部") != name_key("长沙市地铁2号线客运部")
    assert name_key("武陵区人民医院急诊科") != name_key("武陵区人民医院儿科")


def test_name_key_of_only_punctuation_is_empty():
    assert name_key(" （）—— ·、") == ""
    assert name_key("") == ""
    assert name_key(None) == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("长沙银行股份有限公司营业部", "长沙银行营业部"),
        ("长沙银行有限责任公司营业部", "长沙银行营业部"),
        ("长沙银行有限公司营业部", "长沙银行公司营业部"),
        ("华菱钢铁集团有限公司炼钢厂", "华菱钢铁炼钢厂"),
        ("长沙市地铁一号线客运部", "长沙市地铁1号线客运部"),
        ("武陵区人民医院急诊科青年文明号", "武陵区人民医院急诊科"),
        ("Hunan Trading Co., Ltd.", "Hunan Trading"),
        ("常德市第一人民医院急诊科", "常德市第1人民医院急诊科"),
    ],
)
def test_loose_key_drops_legal_forms_and_reads_chinese_digits(a, b):
    assert loose_key(a) == loose_key(b)
    assert name_key(a) != name_key(b)


def test_loose_key_keeps_distinct_branches_apart():
    assert loose_key("长沙银行营业部") != loose_key("长沙银行分行营业部")
    assert loose_key("长沙市地铁1号线客运部") != loose_key("长沙市地铁2号线客运部")


def test_loose_key_falls_back_when_only_noise_is_left():
    assert loose_key("有限公司") == "有限公司"


def test_clean_name_keeps_chinese_punctuation_and_drops_stray_spaces():
    assert clean_name("  武陵区 人民医院（急诊科） ") == "武陵区人民医院（急诊科）"
    assert clean_name("ＣＤ银行\u3000营业部") == "CD银行营业部"
    assert clean_name("Hunan   Bank  营业部") == "Hunan Bank营业部"
    assert clean_name("") == ""
