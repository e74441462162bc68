"""Writes legacy_messy.csv (GB18030, as older Chinese systems export) and legacy_messy.xlsx:
the same messy collective list in both, for the import tests. Run it again after changing ROWS:

    .venv/bin/python tests/collectives/data/build_samples.py

What is messy, by line: 1 a title line above the header; 4 full-width digits, an ideographic
space in the name, spaces around the unit, a phone with spaces and 年 after the year; 5 the
duplicate of line 3 with parentheses; 6 a code mangled into scientific notation by Excel, a
phone too short; 7 a code with a hyphen and no line; 9 an empty row; 10 no unit; 11 an unknown
unit; 12 a unit outside Hunan; 13 no name; 14 a unit written as a path and an unknown ownership;
15 an unreadable title; 16 full-width Latin letters and the unit's full formal name.
"""

import csv
import datetime
import io
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
TITLE = ["湖南省青年文明号集体名单（一期系统导出）"]
HEADER = ["序号", "集体名称", "用户名（编码）", "归口单位", "条块", "行业", "性质", "号长",
          "联系电话", "所获称号", "获得年份"]  # fmt: skip
ROWS = [
    [1, "武陵区人民医院急诊科", 4300010001, "武陵区团委", "地方", "卫生健康", "公有", "张青",
     "0736-7221234", "湖南省青年文明号", 2019],
    [2, "常德市第一人民医院\u3000心血管内科", "４３０００１０００２", " 常德市团委 ", "地方",
     "卫生健康", "事业单位", "李明", "139 0736 1234", "常德市青年文明号", "2020年"],
    [3, "武陵区人民医院（急诊科）", 4300010001, "武陵区团委", "地方", "卫生健康", "公有", "张青",
     "0736-7221234", "湖南省青年文明号", 2019],
    [4, "常德市德诚会计师事务所有限公司审计部", "1.23457E+11", "常德市团委", "地方", "商务服务",
     "非公有制经济", "王芳", "0736-123", "", ""],
    [5, "常德市武陵区青年志愿者协会", "HN-0005", "武陵区团委", "", "社会服务", "社会组织", "",
     "", "", ""],
    [6, "常德烟草物流配送中心", 4300010006, "常德市团委", "行业", "烟草", "国企", "赵强",
     "0736-7889900", "全国青年文明号", datetime.datetime(2018, 5, 4)],
    ["", "", "", "", "", "", "", "", "", "", ""],
    [7, "桃源县漳江镇农业合作社", 4300010007, "", "地方", "农业", "民营", "", "", "", ""],
    [8, "岳阳市京港澳高速收费站", 4300010008, "岳阳市团委", "地方", "交通运输", "国有", "", "",
     "", ""],
    [9, "广州地铁三号线乘务中心", 4300010009, "广州市团委", "地方", "交通运输", "国有", "", "",
     "", ""],
    [10, "", 4300010010, "常德市团委", "地方", "卫生健康", "公有", "", "", "", ""],
    [11, "常德市鼎城区人民医院儿科", 4300010011, "常德市团委/武陵区团委", "地方", "卫生健康",
     "混合所有制", "", "", "", ""],
    [12, "武陵区丹阳街道社区服务中心", 4300010012, "武陵区团委", "地方", "社区服务", "公有",
     "陈静", "0736-7112233", "优秀集体", "去年"],
    [13, "ＣＤ银行 营业部", 4300010013, "共青团常德市委员会", "地区", "金融", "非公", "", "",
     "", ""],
]  # fmt: skip


def _csv_value(value):
    if isinstance(value, datetime.datetime):
        return str(value.year)
    return value


def write_csv() -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TITLE)
    writer.writerow(HEADER)
    for row in ROWS:
        writer.writerow([_csv_value(v) for v in row])
    (HERE / "legacy_messy.csv").write_bytes(out.getvalue().encode("gb18030"))


def write_xlsx() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "集体名单"
    sheet.append(TITLE)
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append([None if v == "" else v for v in row])
    workbook.save(HERE / "legacy_messy.xlsx")


if __name__ == "__main__":
    write_csv()
    write_xlsx()
