#!/usr/bin/env python3
"""Writes the county-office spreadsheets in this folder, the way 县/区 招商局 write them.

    python make_sheets.py            # write every file, then check them (python-calamine if installed)
    python make_sheets.py --check    # only check the files already here

Standalone on purpose: nothing here comes from this project (no crm.*, no exports.*), so the
files are not shaped by our own export code. The cells are written as offices type them
(八十亿元, 二〇二〇年五月十八日, 2020.5.18, "200,000" in a CSV, 无 for "no problem" …); the values a
correct importer must land are written by hand, separately, in expected.py. After writing,
the check reads every file back and compares the verbatim cells (names, regions, progress
texts …) with expected.py, so the two cannot drift apart silently.

Needs: openpyxl. For legacy.xls / legacy.ods: LibreOffice (`soffice`, e.g. apt-get install
libreoffice-calc-nogui). For encrypted.xlsx: LibreOffice with its Python-UNO bridge
(python3-uno), or else msoffcrypto-tool. A tool that is missing leaves the committed file
as it is and says so. The xlsx files written by openpyxl are normalised (fixed zip and
document timestamps), so re-running the generator reproduces them byte for byte; the
LibreOffice outputs and the encrypted file are not byte-stable (LibreOffice stamps them,
encryption salts are random).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2020, 5, 22, 9, 0, 0)  # zip entries and docProps of every openpyxl file
FIXED_ISO = "2020-05-22T09:00:00Z"
PASSWORD = "123456"  # the password of encrypted.xlsx (county offices really use this one)

D = dt.date

# ---------------------------------------------------------------------------- styles

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name="方正小标宋简体", size=18)
NOTE_FONT = Font(name="仿宋_GB2312", size=12)
HEAD_FONT = Font(name="黑体", size=11)
BODY_FONT = Font(name="宋体", size=11)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")

FMT_YMD_CN = 'yyyy"年"m"月"d"日"'
FMT_YMD_SLASH = "yyyy/m/d"
FMT_YMD_DASH = "yyyy-mm-dd"


class Cell:
    """A cell written with an explicit number format (a real date shown as 2020年5月18日 …)."""

    def __init__(self, value, number_format: str):
        self.value = value
        self.number_format = number_format


def new_book(sheet_name: str) -> tuple[Workbook, object]:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    wb.properties.creator = "Administrator"
    wb.properties.lastModifiedBy = "User"
    return wb, ws


def title_rows(ws, ncols: int, lines: list[tuple[str, Font, Alignment]]) -> int:
    """Merged lines across the table's width above the header; returns the next row."""
    row = 1
    for text, font, align in lines:
        ws.cell(row=row, column=1, value=text).font = font
        ws.cell(row=row, column=1).alignment = align
        if ncols > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 36 if font is TITLE_FONT else 20
        row += 1
    return row


def header_row(ws, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        c = ws.cell(row=row, column=col, value=label)
        c.font, c.alignment, c.border = HEAD_FONT, CENTER, BOX
    ws.row_dimensions[row].height = 32


def put(ws, row: int, col: int, value, fmt: str | None = None, align=None):
    if isinstance(value, Cell):
        value, fmt = value.value, value.number_format
    c = ws.cell(row=row, column=col, value=value)
    c.font, c.border = BODY_FONT, BOX
    c.alignment = align or (LEFT if isinstance(value, str) and len(value) > 8 else CENTER)
    if fmt:
        c.number_format = fmt
    elif isinstance(value, (dt.date, dt.datetime)):
        c.number_format = FMT_YMD_DASH
    return c


def body_rows(ws, first_row: int, rows: list[tuple], formats: dict[int, str] | None = None) -> int:
    formats = formats or {}
    for i, values in enumerate(rows):
        for col, value in enumerate(values, start=1):
            put(ws, first_row + i, col, value, formats.get(col) if not isinstance(value, str) else None)
    return first_row + len(rows)


def widths(ws, cols: list[float]) -> None:
    for i, w in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def print_setup(ws, header_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows


def save(wb: Workbook, name: str, dimension: str | None = None) -> Path:
    """Save, then rewrite the zip with fixed timestamps (and optionally a lying <dimension>)."""
    path = HERE / name
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rf"\g<1>{FIXED_ISO}\g<2>", text)
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{FIXED_ISO}\g<2>", text)
                data = text.encode("utf-8")
            if dimension and info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text, n = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', text)
                assert n == 1, "no <dimension> record to rewrite"
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    path.write_bytes(out.getvalue())
    return path


# ---------------------------------------------------------------- a. county_weekly.xlsx

WEEKLY_TITLE = "保定市2020年重点招商项目推进情况台账"
WEEKLY_NOTE = "填报单位：涿州市商务局  填报日期：2020年5月22日  单位：万元"
# (top label, span) over row 3; leaf labels in row 4 under the two groups.
WEEKLY_LEAVES = [
    "序号",
    "所属县区",
    "项目名称",
    "企业名称",
    "产业领域",
    "签约时间",
    "总投资\n（万元）",
    "实际到位资金（万元）",
    "项目进度",
    "需要协调解决的问题",
    "分包县领导",
    "主责单位",
    "预计开工时间",
    "预计竣工时间",
    "备注",
]
WEEKLY_GROUPS = {7: ("投资情况", 2), 13: ("时间节点", 2)}

# 2020-04-28 typed as a bare serial number (pasted from another sheet, format lost).
SERIAL_2020_04_28 = (D(2020, 4, 28) - D(1899, 12, 30)).days

WEEKLY_ROWS = [
    (
        1,
        "涿州市",
        "华侨城涿州城市客厅项目",
        "华侨城集团有限公司",
        "文旅",
        Cell(D(2020, 5, 18), FMT_YMD_CN),
        800000,
        0,
        "正在办理前期手续",
        "拒马河综合整治及湿地公园涉及河道管理范围，需省水利厅审批",
        "张建国",
        "涿州市文化广电和旅游局",
        "2020年9月",
        "2023年12月",
        "中国·廊坊国际经济贸易洽谈会签约",
    ),
    (
        2,
        "涿州市",
        "中国创投(涿州)总部项目",
        "中国创投控股集团有限公司",
        "大数据",
        "2020.5.18",
        250000,
        5000,
        "已完成工商注册",
        "项目用地指标尚未解决",
        "刘志强",
        "涿州市发展和改革局",
        "2020年7月",
        "2022年12月",
        "中国·廊坊国际经济贸易洽谈会签约",
    ),
    (
        3,
        "涿州市",
        "涿州智能装备产业园项目",
        "河北京南智能装备制造有限公司",
        "先进制造",
        Cell(D(2019, 11, 20), FMT_YMD_SLASH),
        120000,
        36000,
        "已开工建设，主体施工中",
        None,
        "王海涛",
        "涿州经济开发区管委会",
        "2020年3月",
        "2021年6月",
        None,
    ),
    (
        4,
        "涿州",
        "涿州生物医药产业园项目",
        "北京华恒生物医药科技有限公司",
        "生物医药",
        "2019年12月6日",
        "3.5亿元",
        4565.5,
        "设备安装调试",
        "厂区外10千伏供电线路需供电公司加快接入",
        "孙红梅",
        "涿州市工业和信息化局",
        "2019年12月",
        "2020年8月底",
        None,
    ),
    (
        5,
        "涿州市",
        "涿州新能源汽车零部件项目",
        "河北华驰新能源汽车零部件有限公司",
        "新能源",
        Cell(D(2019, 8, 16), FMT_YMD_CN),
        60000,
        45000,
        "试生产",
        None,
        "王海涛",
        "涿州经济开发区管委会",
        "2019年10月",
        "2020年6月",
        None,
    ),
    (
        6,
        "涿州市",
        "涿州松林店光伏发电项目",
        "河北冀能新能源开发有限公司",
        "新能源",
        "2019.9.25",
        80000,
        2000,
        "因资金问题暂缓推进",
        "企业融资未到位，需协调金融机构支持",
        "陈卫东",
        "涿州市发展和改革局",
        "2020年4月",
        "2020年底",
        "已约谈企业负责人",
    ),
    (
        7,
        "涿州市",
        "涿州大数据产业园项目",
        "北京数智云科技有限公司",
        "大数据",
        None,
        150000,
        "—",
        "洽谈对接中",
        None,
        "刘志强",
        "涿州市商务局",
        "待定",
        "待定",
        "意向投资额",
    ),
    (
        8,
        "涿州市",
        "涿州农副产品冷链物流项目",
        "北京鲜达冷链物流有限公司",
        "现代物流",
        Cell(D(2019, 6, 12), FMT_YMD_CN),
        30000,
        0,
        "项目已终止",
        None,
        "赵立新",
        "涿州市商务局",
        None,
        None,
        "投资方退出，已解除投资协议",
    ),
    (
        9,
        "涿州市",
        "涿州航空装备维修基地项目",
        "北京蓝天航空装备维修工程有限公司",
        "先进制造",
        "2020年1月10日",
        100000,
        8000,
        "规划方案已通过专家评审",
        "需协调规划部门加快办理建设工程规划许可证",
        "张建国",
        "涿州市自然资源和规划局",
        "2020年10月15日",
        "2022年6月",
        None,
    ),
    (
        10,
        "涿州市",
        "涿州影视文化小镇项目",
        "北京星光影视文化发展有限公司",
        "文旅",
        SERIAL_2020_04_28,
        200000,
        0,
        "已签约，正在编制可研报告",
        None,
        "孙红梅",
        "涿州市文化广电和旅游局",
        "2020年12月",
        "2024年6月",
        "2020京津冀产业合作推介会签约",
    ),
    (
        11,
        "涿州市",
        "涿州医疗器械产业园项目",
        "河北康泰医疗器械有限公司",
        "生物医药",
        Cell(D(2018, 10, 30), FMT_YMD_CN),
        45000,
        45000,
        "已竣工，进入运营阶段",
        None,
        "陈卫东",
        "涿州市工业和信息化局",
        "2019年3月",
        "2020年4月",
        None,
    ),
    (
        12,
        "涿州市",
        "涿州高性能新材料项目",
        "北京中科新材科技有限公司",
        "新材料",
        "2020年3月16日",
        50000,
        0,
        "完成立项备案，正在办理土地手续",
        "1.土地组卷报批进度慢；\n2.环评审批需提速",
        "赵立新",
        "涿州市行政审批局",
        "2020.9",
        "2021年12月",
        None,
    ),
]
WEEKLY_TOTAL = ("合计", 1920000, 145565.5)  # 万元; 3.5亿元 of row 4 counted as 35000
WEEKLY_FOOT = [
    "注：1.项目进度请填写截至填报日期的最新进展；2.实际到位资金为累计数。",
    "填表人：李娜          审核人：赵立新",
]


def county_weekly(ws) -> None:
    n = len(WEEKLY_LEAVES)
    row = title_rows(ws, n, [(WEEKLY_TITLE, TITLE_FONT, CENTER), (WEEKLY_NOTE, NOTE_FONT, LEFT)])
    top, leaf = row, row + 1
    col = 1
    while col <= n:
        if col in WEEKLY_GROUPS:
            label, span = WEEKLY_GROUPS[col]
            c = ws.cell(row=top, column=col, value=label)
            c.font, c.alignment = HEAD_FONT, CENTER
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + span - 1)
            for k in range(span):
                h = ws.cell(row=leaf, column=col + k, value=WEEKLY_LEAVES[col + k - 1])
                h.font, h.alignment, h.border = HEAD_FONT, CENTER, BOX
                ws.cell(row=top, column=col + k).border = BOX
            col += span
        else:
            c = ws.cell(row=top, column=col, value=WEEKLY_LEAVES[col - 1])
            c.font, c.alignment, c.border = HEAD_FONT, CENTER, BOX
            ws.cell(row=leaf, column=col).border = BOX
            ws.merge_cells(start_row=top, start_column=col, end_row=leaf, end_column=col)
            col += 1
    ws.row_dimensions[top].height = 22
    ws.row_dimensions[leaf].height = 32
    first = leaf + 1
    end = body_rows(ws, first, WEEKLY_ROWS, {7: "#,##0.00", 8: "#,##0.00"})
    label, amount, funds = WEEKLY_TOTAL
    put(ws, end, 1, label)
    for col in range(2, 7):
        put(ws, end, col, None)
    ws.merge_cells(start_row=end, start_column=1, end_row=end, end_column=6)
    put(ws, end, 7, amount, "#,##0.00")
    put(ws, end, 8, funds, "#,##0.00")
    for col in range(9, n + 1):
        put(ws, end, col, None)
    for i, text in enumerate(WEEKLY_FOOT, start=1):
        ws.cell(row=end + i, column=1, value=text).font = NOTE_FONT
        ws.merge_cells(start_row=end + i, start_column=1, end_row=end + i, end_column=n)
    widths(ws, [5, 9, 26, 26, 9, 13, 12, 12, 20, 28, 9, 20, 12, 12, 20])
    ws.freeze_panes = ws.cell(row=first, column=4)
    print_setup(ws, f"{top}:{leaf}")


def make_county_weekly() -> Path:
    wb, ws = new_book("台账")
    county_weekly(ws)
    return save(wb, "county_weekly.xlsx")


# ------------------------------------------------------------- b. chinese_numerals.xlsx

NUMERALS_TITLE = "2020年重大经贸活动签约项目台账（原始填报）"
NUMERALS_HEAD = ["序号", "县（市、区）", "项目名称", "投资方", "产业类别", "签约活动", "签约时间", "协议投资额", "备注"]
LANGFANG = "中国·廊坊国际经济贸易洽谈会"
JJJ = "2020京津冀产业合作推介会"
RAIL = "中国·保定轨道交通产业线上招商推介会"
NUMERALS_ROWS = [
    (
        1,
        "涿州市",
        "华侨城涿州城市客厅项目",
        "华侨城集团有限公司",
        "文旅",
        LANGFANG,
        "二〇二〇年五月十八日",
        "八十亿元",
        "总建筑面积81.9万平方米",
    ),
    (
        2,
        "涿州市",
        "涿州现代供应链金融创新示范基地项目",
        "京津冀供应链管理（北京）有限公司",
        "大数据",
        LANGFANG,
        "二○二○年五月十八日",
        "一点八亿美元",
        "外资项目",
    ),
    (
        3,
        "涿州市",
        "中国创投(涿州)总部项目",
        "中国创投控股集团有限公司",
        "大数据",
        LANGFANG,
        "二零二零年五月十八日",
        "25亿元左右",
        None,
    ),
    (
        4,
        "高碑店市",
        "高碑店被动式超低能耗建筑产业园项目",
        "河北绿建科技有限公司",
        "节能环保",
        LANGFANG,
        "2020年5月18日 10:00",
        "两亿元",
        None,
    ),
    (
        5,
        "定州市",
        "定州新能源汽车配套产业园项目",
        "定州华驰新能源科技有限公司",
        "新能源",
        LANGFANG,
        "2020年5月18日09时30分",
        "1亿8千万元",
        None,
    ),
    (
        6,
        "安国市",
        "安国现代中药饮片加工项目",
        "安国药都中药饮片有限公司",
        "生物医药",
        LANGFANG,
        "2020年5月18日（星期一）",
        "2亿零500万元",
        None,
    ),
    (7, "莲池区", "莲池区大数据产业园项目", "保定云谷数据科技有限公司", "大数据", JJJ, "2020.4.28", "3个亿", None),
    (
        8,
        "雄安新区",
        "雄安新区智慧城市数据中心项目",
        "雄安数联科技有限公司",
        "大数据",
        JJJ,
        "二〇二〇年四月二十八日",
        "人民币壹亿捌仟万元整",
        "按合同大写金额填报",
    ),
    (
        9,
        "清苑区",
        "清苑区生物医药中间体项目",
        "保定康源医药化工有限公司",
        "生物医药",
        JJJ,
        "2020年4月28日",
        "5000元整",
        "原表如此，疑为5000万元",
    ),
    (
        10,
        "徐水区",
        "徐水区轨道交通装备配套项目",
        "香港恒达国际投资有限公司",
        "先进制造",
        RAIL,
        "二〇二〇年四月十六日",
        "1.8億美元",
        "港资项目，繁体原文",
    ),
    (
        11,
        "易县",
        "易县清西陵文化旅游综合开发项目",
        "易县易水文化旅游发展有限公司",
        "文旅",
        JJJ,
        "2020年4月28日",
        "3000萬元",
        None,
    ),
    (
        12,
        "高碑店市",
        "高碑店中外合资物流装备项目",
        "Orient Logistics Holdings Ltd.",
        "先进制造",
        None,
        "二〇二〇年一月十日",
        "180 million US dollars",
        "外方提供英文协议",
    ),
    (
        13,
        "满城区",
        "满城区造纸产业升级改造项目",
        "保定满城纸业有限公司",
        "节能环保",
        None,
        Cell(D(2020, 3, 16), FMT_YMD_DASH),
        "4565万元",
        None,
    ),
]


def make_chinese_numerals() -> Path:
    wb, ws = new_book("Sheet1")
    n = len(NUMERALS_HEAD)
    row = title_rows(ws, n, [(NUMERALS_TITLE, TITLE_FONT, CENTER)])
    header_row(ws, row, NUMERALS_HEAD)
    body_rows(ws, row + 1, NUMERALS_ROWS)
    widths(ws, [5, 11, 32, 30, 10, 28, 24, 22, 24])
    print_setup(ws, f"{row}:{row}")
    return save(wb, "chinese_numerals.xlsx")


# ------------------------------------------------------------------- c. usd_total.xlsx

USD_TITLE = "涿州市2020年签约项目情况统计表"
USD_HEAD = [
    "序号",
    "项目名称",
    "签约企业",
    "产业类别",
    "签约活动",
    "签约时间",
    "币种",
    "总投资（亿元）",
    "项目进展",
    "备注",
]
USD_SECTION_1 = "一、中国·廊坊国际经济贸易洽谈会签约项目（3个）"
USD_ROWS_1 = [
    (
        1,
        "涿州现代供应链金融创新示范基地项目",
        "京津冀供应链管理（北京）有限公司",
        "大数据",
        LANGFANG,
        Cell(D(2020, 5, 18), FMT_YMD_CN),
        "美元",
        1.8,
        "已签约",
        "网上签约",
    ),
    (
        2,
        "中国创投(涿州)总部项目",
        "中国创投控股集团有限公司",
        "大数据",
        LANGFANG,
        Cell(D(2020, 5, 18), FMT_YMD_CN),
        "人民币",
        25,
        "已完成工商注册",
        "网上签约",
    ),
    (
        3,
        "华侨城涿州城市客厅项目",
        "华侨城集团有限公司",
        "文旅",
        LANGFANG,
        Cell(D(2020, 5, 18), FMT_YMD_CN),
        "人民币",
        80,
        "正在办理前期手续",
        "网上签约，总建筑面积81.9万平方米",
    ),
]
USD_SUBTOTAL_1 = 117.78
USD_SECTION_2 = "二、其他招商活动签约项目（4个）"
USD_ROWS_2 = [
    (
        4,
        "涿州影视文化小镇项目",
        "北京星光影视文化发展有限公司",
        "文旅",
        JJJ,
        Cell(D(2020, 4, 28), FMT_YMD_CN),
        "人民币",
        20,
        "已签约，正在编制可研报告",
        None,
    ),
    (
        5,
        "涿州生物医药产业园二期项目",
        "北京华恒生物医药科技有限公司",
        "生物医药",
        JJJ,
        Cell(D(2020, 4, 28), FMT_YMD_CN),
        "人民币",
        3.5,
        "已签约",
        None,
    ),
    (
        6,
        "涿州高性能新材料项目",
        "北京中科新材科技有限公司",
        "新材料",
        None,
        Cell(D(2020, 3, 16), FMT_YMD_CN),
        "人民币",
        5,
        "完成立项备案，正在办理土地手续",
        "日常招商",
    ),
    (
        7,
        "涿州航空装备维修基地项目",
        "北京蓝天航空装备维修工程有限公司",
        "先进制造",
        None,
        Cell(D(2020, 1, 10), FMT_YMD_CN),
        "人民币",
        10,
        "规划方案已通过专家评审",
        "日常招商",
    ),
]
USD_SUBTOTAL_2 = 38.5
USD_TOTAL = 156.28
USD_NOTE = "注：美元项目按签约当日汇率折算人民币（2020年5月18日，1美元=7.10元人民币），小计、合计均为折算后人民币金额。"


def make_usd_total() -> Path:
    wb, ws = new_book("Sheet1")
    n = len(USD_HEAD)
    row = title_rows(ws, n, [(USD_TITLE, TITLE_FONT, CENTER), ("单位：亿元", NOTE_FONT, RIGHT)])
    header_row(ws, row, USD_HEAD)
    row += 1

    def section(r: int, text: str) -> int:
        put(ws, r, 1, text, align=LEFT).font = Font(name="黑体", size=11)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
        return r + 1

    def sum_row(r: int, label: str, amount: float, count: str) -> int:
        put(ws, r, 1, label)
        put(ws, r, 2, count)
        for col in range(3, n + 1):
            put(ws, r, col, None)
        put(ws, r, 8, amount, "0.00")
        return r + 1

    row = section(row, USD_SECTION_1)
    row = body_rows(ws, row, USD_ROWS_1, {8: "0.00"})
    row = sum_row(row, "小计", USD_SUBTOTAL_1, "3个")
    row = section(row, USD_SECTION_2)
    row = body_rows(ws, row, USD_ROWS_2, {8: "0.00"})
    row = sum_row(row, "小计", USD_SUBTOTAL_2, "4个")
    row = sum_row(row, "合计", USD_TOTAL, "7个")
    ws.cell(row=row, column=1, value=USD_NOTE).font = NOTE_FONT
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
    widths(ws, [6, 32, 30, 10, 28, 16, 8, 12, 26, 26])
    print_setup(ws, "3:3")
    return save(wb, "usd_total.xlsx")


# --------------------------------------------------------- d. departments_1_to_14.xlsx

DEPT_TITLE = "保定市重点招商项目责任分工表"
DEPT_HEAD = [
    "序号",
    "县（市、区）",
    "项目名称",
    "投资主体",
    "产业类别",
    "签约时间",
    "总投资（亿元）",
    "当前阶段",
    "牵头责任单位",
    "配合单位",
    "包联领导",
]
DEPT_ROWS = [
    (
        1,
        "清苑区",
        "保定清苑汽车零部件产业园项目",
        "保定恒信汽车零部件有限公司",
        "先进制造",
        D(2019, 9, 6),
        8.5,
        "已签约",
        "责任单位10",
        "责任单位1、责任单位11",
        "张建国",
    ),
    (
        2,
        "清苑县",
        "清苑温泉康养小镇项目",
        "河北温泉康养产业发展有限公司",
        "文旅",
        D(2019, 10, 15),
        15,
        "在建",
        "责任单位1",
        "责任单位10",
        "刘志强",
    ),
    (
        3,
        "定州市（省直管）",
        "定州体育用品产业园项目",
        "河北奥体运动器材有限公司",
        "先进制造",
        D(2020, 4, 28),
        12,
        "已投产",
        "责任单位11",
        "责任单位1,责任单位12",
        "王海涛",
    ),
    (
        4,
        "安新县",
        "安新县光伏储能项目",
        "河北冀能新能源开发有限公司",
        "新能源",
        D(2019, 7, 22),
        4,
        "洽谈中",
        "责任单位2",
        None,
        "孙红梅",
    ),
    (
        5,
        "雄安新区",
        "雄安新区数字经济产业园项目",
        "雄安数联科技有限公司",
        "大数据",
        D(2019, 11, 20),
        12,
        "已注册",
        "责任单位12",
        "责任单位2；责任单位14",
        "陈卫东",
    ),
    (
        6,
        "高碑店市",
        "高碑店氢能源装备制造项目",
        "河北氢途能源科技有限公司",
        "新能源",
        D(2020, 1, 10),
        15,
        "停滞",
        "责任单位3",
        "责任单位13、\n责任单位4",
        "赵立新",
    ),
    (
        7,
        "莲池区",
        "莲池区大数据产业园项目",
        "保定云谷数据科技有限公司",
        "大数据",
        D(2020, 4, 28),
        3,
        "已取消",
        "责任单位13",
        "责任单位3",
        "张建国",
    ),
    (
        8,
        "竞秀区",
        "竞秀区新一代信息技术产业园项目",
        "保定智芯电子科技有限公司",
        "新一代信息技术",
        D(2020, 3, 16),
        6.2,
        "签约",
        "责任单位4",
        "责任单位14",
        "刘志强",
    ),
    (
        9,
        "满城区",
        "满城区造纸产业升级改造项目",
        "保定满城纸业有限公司",
        "节能环保",
        D(2019, 5, 8),
        2.8,
        "施工",
        "责任单位14",
        "责任单位4、责任单位1",
        "王海涛",
    ),
    (
        10,
        "徐水区",
        "徐水区智能电网装备项目",
        "保定博电智能电气有限公司",
        "新能源及智能电网",
        D(2018, 12, 20),
        5,
        "运营",
        "责任单位5",
        None,
        "孙红梅",
    ),
    (
        11,
        "涿州市",
        "华侨城涿州城市客厅项目",
        "华侨城集团有限公司",
        "文旅",
        D(2020, 5, 18),
        80,
        "在谈",
        "责任单位6",
        "责任单位5",
        "陈卫东",
    ),
    (
        12,
        "安国市",
        "安国现代中药饮片加工项目",
        "安国药都中药饮片有限公司",
        "生物医药",
        D(2020, 5, 18),
        2.05,
        "已落地",
        "责任单位7",
        "责任单位6",
        "赵立新",
    ),
    (
        13,
        "易县",
        "易县清西陵文化旅游综合开发项目",
        "易县易水文化旅游发展有限公司",
        "文旅",
        D(2020, 4, 28),
        0.3,
        "暂缓",
        "责任单位8",
        "责任单位7",
        "张建国",
    ),
    (
        14,
        "白沟新城",
        "白沟箱包产业转型升级项目",
        "河北白沟箱包产业集团有限公司",
        "先进制造",
        D(2020, 4, 28),
        5,
        "终止",
        "责任单位9",
        "责任单位8",
        "刘志强",
    ),
]


def make_departments() -> Path:
    wb, ws = new_book("分工表")
    n = len(DEPT_HEAD)
    row = title_rows(ws, n, [(DEPT_TITLE, TITLE_FONT, CENTER)])
    header_row(ws, row, DEPT_HEAD)
    body_rows(ws, row + 1, DEPT_ROWS, {6: FMT_YMD_CN, 7: "0.00"})
    widths(ws, [5, 16, 32, 30, 14, 16, 10, 10, 14, 22, 10])
    print_setup(ws, f"{row}:{row}")
    return save(wb, "departments_1_to_14.xlsx")


# ----------------------------------------------------------------------- g. stale.xlsx

STALE_TITLE = "雄安新区安新县招商引资项目推进情况表"
STALE_ASOF = "（数据截至2020年3月31日）"
STALE_NOTE = "填报单位：安新县商务局                    单位：万元"
STALE_HEAD = [
    "序号",
    "所在地",
    "项目名称",
    "签约企业",
    "产业",
    "签约日期",
    "投资额（万元）",
    "目前进展",
    "存在问题",
    "包联领导",
    "责任单位",
]
STALE_ROWS = [
    (
        1,
        "安新县",
        "白洋淀码头文旅提升项目",
        "河北白洋淀旅游发展有限公司",
        "文旅",
        D(2019, 9, 6),
        35000,
        "已开工，码头主体施工中",
        "施工用水用电临时接入需协调",
        "马国强",
        "安新县文化广电和旅游局",
    ),
    (
        2,
        "雄安新区",
        "雄安新区数字经济产业园项目",
        "雄安数联科技有限公司",
        "大数据",
        D(2019, 11, 20),
        120000,
        "已完成工商注册",
        None,
        "周志刚",
        "雄安新区改革发展局",
    ),
    (
        3,
        "安新县",
        "安新县现代农业科技示范园项目",
        "河北淀上农业科技有限公司",
        "现代农业",
        D(2019, 12, 18),
        15000,
        "正在办理前期手续",
        "设施农用地审批进度慢",
        "马国强",
        "安新县农业农村局",
    ),
    (
        4,
        "雄安新区（容城县）",
        "雄安新区生物医药研发中心项目",
        "北京康宁生物医药研究院有限公司",
        "生物医药",
        None,
        60000,
        "洽谈对接中",
        None,
        "周志刚",
        "雄安新区改革发展局",
    ),
    (
        5,
        "安新县",
        "安新县光伏储能项目",
        "河北冀能新能源开发有限公司",
        "新能源",
        D(2019, 7, 22),
        40000,
        "因征地问题暂缓推进",
        "光伏用地涉及基本农田，需调整选址",
        "吴建华",
        "安新县发展和改革局",
    ),
    (
        6,
        "雄安新区（安新县）",
        "雄安新区智能网联汽车测试基地项目",
        "北京智行汽车科技有限公司",
        "先进制造",
        D(2019, 12, 26),
        80000,
        "正在办理前期手续",
        None,
        "吴建华",
        "雄安新区规划建设局",
    ),
]


def make_stale() -> Path:
    wb, ws = new_book("3月")
    n = len(STALE_HEAD)
    row = title_rows(
        ws, n, [(STALE_TITLE, TITLE_FONT, CENTER), (STALE_ASOF, NOTE_FONT, CENTER), (STALE_NOTE, NOTE_FONT, LEFT)]
    )
    header_row(ws, row, STALE_HEAD)
    body_rows(ws, row + 1, STALE_ROWS, {6: FMT_YMD_CN, 7: "#,##0"})
    widths(ws, [5, 16, 30, 30, 10, 16, 12, 24, 28, 10, 22])
    print_setup(ws, f"{row}:{row}")
    return save(wb, "stale.xlsx")


# -------------------------------------------------------------- h. huge_dimension.xlsx

HUGE_HEAD = ["序号", "县（市、区）", "项目名称", "投资方", "产业类别", "签约时间", "总投资（亿元）", "当前阶段"]
HUGE_ROWS = [
    (1, "莲池区", "莲池区大数据产业园项目", "保定云谷数据科技有限公司", "大数据", D(2020, 4, 28), 3, "已签约"),
    (
        2,
        "竞秀区",
        "竞秀区新一代信息技术产业园项目",
        "保定智芯电子科技有限公司",
        "新一代信息技术",
        D(2020, 3, 16),
        6.2,
        "在建",
    ),
    (3, "涿州市", "华侨城涿州城市客厅项目", "华侨城集团有限公司", "文旅", D(2020, 5, 18), 80, "签约"),
    (4, "定州市", "定州体育用品产业园项目", "河北奥体运动器材有限公司", "先进制造", D(2020, 4, 28), 12, "已注册"),
    (5, "高碑店市", "高碑店氢能源装备制造项目", "河北氢途能源科技有限公司", "新能源", D(2020, 1, 10), 15, "洽谈中"),
]


def make_huge_dimension() -> Path:
    wb, ws = new_book("Sheet1")
    header_row(ws, 1, HUGE_HEAD)
    body_rows(ws, 2, HUGE_ROWS, {6: FMT_YMD_DASH})
    widths(ws, [5, 12, 32, 28, 14, 12, 12, 10])
    return save(wb, "huge_dimension.xlsx", dimension="A1:XFD1048576")


# ----------------------------------------------------------- j. funds_cumulative_v1/v2

FUNDS_TITLE = "保定市重点招商项目资金到位情况月报表"
FUNDS_HEAD = [
    "序号",
    "县（市、区）",
    "项目名称",
    "投资方",
    "总投资（万元）",
    "本月到位资金（万元）",
    "累计到位资金（万元）",
    "资金到位率",
    "备注",
]
# name, region, investor, total, (v1 month, v1 cumulative), (v2 month, v2 cumulative), v1 note, v2 note
FUNDS_DEALS = [
    (
        "高碑店市",
        "高碑店被动式超低能耗建筑产业园项目",
        "河北绿建科技有限公司",
        200000,
        (5000, 30000),
        (8000, 38000),
        None,
        None,
    ),
    (
        "定州市",
        "定州新能源汽车配套产业园项目",
        "定州华驰新能源科技有限公司",
        18000,
        (3000, 9000),
        (1500, 10500),
        None,
        None,
    ),
    (
        "清苑区",
        "保定清苑汽车零部件产业园项目",
        "保定恒信汽车零部件有限公司",
        120000,
        (0, 20000),
        (0, 20000),
        "本月无新增到位资金",
        "本月无新增到位资金",
    ),
    ("莲池区", "莲池区大数据产业园项目", "保定云谷数据科技有限公司", 30000, (2000, 6000), (4000, 10000), None, None),
    (
        "安国市",
        "安国现代中药饮片加工项目",
        "安国药都中药饮片有限公司",
        20500,
        (500, 12300.5),
        (1200, 13500.5),
        None,
        None,
    ),
    (
        "涿州市",
        "华侨城涿州城市客厅项目",
        "华侨城集团有限公司",
        800000,
        (0, 0),
        (20000, 20000),
        "5月18日签约",
        "首笔资金到位",
    ),
]
FUNDS_VERSIONS = {
    "funds_cumulative_v1.xlsx": ("（截至2020年4月30日）", "4月", 0),
    "funds_cumulative_v2.xlsx": ("（截至2020年5月31日）", "5月", 1),
}


def make_funds(name: str) -> Path:
    asof, sheet, k = FUNDS_VERSIONS[name]
    wb, ws = new_book(sheet)
    n = len(FUNDS_HEAD)
    row = title_rows(
        ws,
        n,
        [
            (FUNDS_TITLE, TITLE_FONT, CENTER),
            (asof, NOTE_FONT, CENTER),
            ("填报单位：保定市商务局                    单位：万元", NOTE_FONT, LEFT),
        ],
    )
    header_row(ws, row, FUNDS_HEAD)
    rows = []
    for i, (region, deal, investor, total, v1, v2, n1, n2) in enumerate(FUNDS_DEALS, start=1):
        month, cumulative = (v1, v2)[k]
        rows.append((i, region, deal, investor, total, month, cumulative, round(cumulative / total, 4), (n1, n2)[k]))
    end = body_rows(ws, row + 1, rows, {5: "#,##0", 6: "#,##0.00", 7: "#,##0.00", 8: "0.00%"})
    totals = [sum(r[c] for r in rows) for c in (4, 5, 6)]
    put(ws, end, 1, "合计")
    for col in (2, 3, 4, 9):
        put(ws, end, col, None)
    ws.merge_cells(start_row=end, start_column=1, end_row=end, end_column=4)
    put(ws, end, 5, totals[0], "#,##0")
    put(ws, end, 6, totals[1], "#,##0.00")
    put(ws, end, 7, totals[2], "#,##0.00")
    put(ws, end, 8, round(totals[2] / totals[0], 4), "0.00%")
    widths(ws, [5, 12, 32, 28, 14, 14, 14, 10, 20])
    print_setup(ws, f"{row}:{row}")
    return save(wb, name)


# --------------------------------------------------------------------------- f. CSVs

GBK_TITLE = "高碑店市2020年招商引资项目台账"
GBK_HEAD = [
    "序号",
    "县（市、区）",
    "项目名称",
    "投资主体",
    "所属行业",
    "签约日期",
    "计划总投资（万元）",
    "累计到位资金（万元）",
    "进展情况",
    "存在的困难和问题",
    "包联县级领导",
    "牵头责任单位",
    "计划开工时间",
    "备注",
]
# As Excel on a Chinese Windows saves "CSV (逗号分隔)": displayed values (thousands separators,
# 2020/5/18), ANSI code page 936, CRLF, the merged title as a row padded with commas.
GBK_ROWS = [
    (
        "1",
        "高碑店市",
        "高碑店被动式超低能耗建筑产业园项目",
        "河北绿建科技有限公司",
        "节能环保",
        "2020/5/18",
        "200,000",
        "38,000",
        "主体施工中",
        "无",
        "郭振华",
        "高碑店市发展和改革局",
        "2020年3月",
        "中国·廊坊国际经济贸易洽谈会签约",
    ),
    (
        "2",
        "白沟新城",
        "白沟箱包产业转型升级项目",
        "河北白沟箱包产业集团有限公司",
        "先进制造",
        "2020/4/28",
        "50,000",
        "5,000",
        "设备安装中",
        "无",
        "郭振华",
        "白沟新城管委会",
        "2020年5月",
        "",
    ),
    (
        "3",
        "高碑店市",
        "高碑店京南智慧物流园项目",
        "北京京南物流集团有限公司",
        "现代物流",
        "2019/12/20",
        "80,000",
        "0",
        "正在办理前期手续",
        "用地规划调整需省自然资源厅批复",
        "杨文斌",
        "高碑店市自然资源和规划局",
        "2020年8月",
        "",
    ),
    (
        "4",
        "高碑店市",
        "高碑店氢能源装备制造项目",
        "河北氢途能源科技有限公司",
        "新能源",
        "2020/1/10",
        "150,000",
        "12,000",
        "项目公司已注册",
        "需协调天然气管网接入",
        "杨文斌",
        "高碑店市工业和信息化局",
        "2020年7月",
        "",
    ),
    (
        "5",
        "白沟新城",
        "白沟新城文旅小镇项目",
        "河北大清河文化旅游开发有限公司",
        "文旅",
        "2019/10/15",
        "120,000",
        "0",
        "项目搁置",
        "规划调整，项目选址待定",
        "郭振华",
        "白沟新城管委会",
        "待定",
        "",
    ),
    (
        "6",
        "高碑店市",
        "高碑店生物制药原料药项目",
        "北京华恒生物医药科技有限公司",
        "生物医药",
        "",
        "60,000",
        "",
        "洽谈中",
        "",
        "马丽娟",
        "高碑店市商务局",
        "",
        "意向项目",
    ),
    (
        "7",
        "高碑店市",
        "高碑店大数据中心项目",
        "保定云谷数据科技有限公司",
        "大数据",
        "2019/6/18",
        "30,000",
        "30,000",
        "已建成投产",
        "无",
        "马丽娟",
        "高碑店市工业和信息化局",
        "2019年8月",
        "",
    ),
    (
        "8",
        "高碑店市",
        "高碑店装配式建筑部品项目",
        "河北筑成建材科技有限公司",
        "新材料",
        "2019/8/8",
        "20,000",
        "1,000",
        "企业取消投资计划",
        "",
        "杨文斌",
        "高碑店市商务局",
        "",
        "已退还保证金",
    ),
]
GBK_TOTAL = ("合计", "", "8个", "", "", "", "710,000", "86,000", "", "", "", "", "", "")

GB18030_HEAD = [
    "编号",
    "所在县市区",
    "项目名称",
    "签约主体",
    "产业类型",
    "签约时间",
    "协议投资额(亿元)",
    "到位资金(亿元)",
    "项目进展",
    "需协调事项",
    "联系领导",
    "责任部门",
    "开工时间",
    "备注",
]
# 刘䶮 and 赵𬀩: given names in characters GBK lacks (生僻字), which is why the office saved GB18030.
GB18030_ROWS = [
    (
        "DZ2020-01",
        "定州市",
        "定州新能源汽车配套产业园项目",
        "定州华驰新能源科技有限公司",
        "新能源",
        "2020年5月18日",
        "1.8",
        "1.05",
        "厂房主体施工",
        "",
        "刘䶮",
        "定州市发展和改革局",
        "2020年6月",
        "廊坊洽谈会签约",
    ),
    (
        "DZ2020-02",
        "定州市（省直管）",
        "定州体育用品产业园项目",
        "河北奥体运动器材有限公司",
        "先进制造",
        "2020年4月28日",
        "12",
        "2",
        "完成工商注册",
        "需协调电力增容",
        "赵𬀩",
        "定州市商务局",
        "2020年7月",
        "",
    ),
    (
        "DZ2020-03",
        "定州市",
        "定州中山国文化旅游区项目",
        "河北中山文化旅游发展有限公司",
        "文旅",
        "",
        "30",
        "0",
        "在谈",
        "",
        "赵𬀩",
        "定州市文化广电和旅游局",
        "",
        "意向投资额",
    ),
    (
        "DZ2020-04",
        "定州市",
        "定州生物医药原料基地项目",
        "北京康宁生物医药研究院有限公司",
        "生物医药",
        "2020年1月10日",
        "5.5",
        "0.5",
        "项目已立项，正在办理环评",
        "环评批复时间较长",
        "刘䶮",
        "定州市行政审批局",
        "2020年9月",
        "",
    ),
    (
        "DZ2019-11",
        "定州市",
        "定州大数据灾备中心项目",
        "北京数智云科技有限公司",
        "大数据",
        "2019年9月25日",
        "8",
        "8",
        "已投入运营",
        "",
        "刘䶮",
        "定州市工业和信息化局",
        "2019年11月",
        "",
    ),
    (
        "DZ2019-08",
        "定州市",
        "定州光伏农业项目",
        "河北冀能新能源开发有限公司",
        "新能源",
        "2019年7月22日",
        "6",
        "0.3",
        "因用地问题停滞",
        "设施农用地备案未通过",
        "赵𬀩",
        "定州市自然资源和规划局",
        "",
        "",
    ),
    (
        "DZ2019-05",
        "定州市",
        "定州钢结构装配式建筑项目",
        "河北筑成建材科技有限公司",
        "新材料",
        "2019年5月8日",
        "4",
        "0",
        "企业已退出",
        "",
        "刘䶮",
        "定州市商务局",
        "",
        "协议已解除",
    ),
]


def write_csv(name: str, encoding: str, rows: list[list[str]]) -> Path:
    path = HERE / name
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return path


def make_csvs() -> list[Path]:
    width = len(GBK_HEAD)
    gbk = [[GBK_TITLE] + [""] * (width - 1), GBK_HEAD, *map(list, GBK_ROWS), list(GBK_TOTAL)]
    width = len(GB18030_HEAD)
    gb18030 = [GB18030_HEAD, *map(list, GB18030_ROWS), [""] * width, [""] * width]  # Excel keeps formatted empty rows
    return [write_csv("gbk.csv", "gbk", gbk), write_csv("gb18030.csv", "gb18030", gb18030)]


# ------------------------------------------------------------- e, i. LibreOffice outputs


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, target: str, filter_spec: str, dest_name: str) -> Path | None:
    exe = soffice()
    if not exe:
        print(f"  ! {dest_name}: LibreOffice (soffice) not found; keeping the committed file")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp, "profile").as_uri()
        out = Path(tmp, "out")
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                f"{target}:{filter_spec}",
                "--outdir",
                str(out),
                str(src),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
        )
        produced = out / f"{src.stem}.{target}"
        dest = HERE / dest_name
        shutil.copyfile(produced, dest)
    return dest


# Run by LibreOffice's own Python (python3-uno): load the xlsx and store it again with a
# password-to-open. The command line's --convert-to cannot take a password in LibreOffice 7.4;
# this is what the "Save with password" dialog does (Standard/AES-128 OOXML encryption).
UNO_ENCRYPT = r"""
import os, subprocess, sys, time, traceback, uno
from com.sun.star.beans import PropertyValue, NamedValue

def pv(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

src, dst, password, profile = sys.argv[1:5]
pipe = "zs_sheets_%d" % os.getpid()
office = subprocess.Popen(["soffice", "-env:UserInstallation=" + profile, "--headless", "--invisible", "--norestore",
                           "--accept=pipe,name=%s;urp;" % pipe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
rc = 1
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(200):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (pv("Hidden", True),))
    key = NamedValue(); key.Name = "OOXPassword"; key.Value = password
    kind = NamedValue(); kind.Name = "CryptoType"; kind.Value = "Standard"
    args = (pv("FilterName", "Calc MS Excel 2007 XML"),
            pv("EncryptionData", uno.Any("[]com.sun.star.beans.NamedValue", (key, kind))))
    uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(dst), uno.Any("[]com.sun.star.beans.PropertyValue", args)))
    doc.close(True)
    rc = 0
    try:
        desktop.terminate()
    except Exception:
        pass
except Exception:
    traceback.print_exc()
finally:
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()
    sys.stdout.flush(); sys.stderr.flush()
    os._exit(rc)
"""


def uno_python() -> str | None:
    candidates = [os.environ.get("LO_PYTHON"), "/usr/lib/libreoffice/program/python", "/usr/bin/python3"]
    for exe in filter(None, candidates):
        if (
            Path(exe).exists()
            and subprocess.run([exe, "-c", "import uno"], capture_output=True, check=False).returncode == 0
        ):
            return exe
    return None


def make_encrypted(src: Path) -> Path | None:
    dest = HERE / "encrypted.xlsx"
    py = uno_python()
    if py and soffice():
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp, "encrypt.py")
            script.write_text(UNO_ENCRYPT, encoding="utf-8")
            out = Path(tmp, "encrypted.xlsx")
            # Output goes to a file, not a pipe: an office left behind would hold a pipe open.
            with open(Path(tmp, "log.txt"), "w") as log:
                run = subprocess.run(
                    [py, str(script), str(src), str(out), PASSWORD, Path(tmp, "profile").as_uri()],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=300,
                    check=False,
                )
            if run.returncode == 0 and out.exists():
                shutil.copyfile(out, dest)
                return dest
            print("  ! LibreOffice could not encrypt:", Path(tmp, "log.txt").read_text()[-500:])
    try:
        import msoffcrypto.format.ooxml  # msoffcrypto-tool, used only here, only when LibreOffice cannot
    except ImportError:
        print("  ! encrypted.xlsx: neither LibreOffice+python3-uno nor msoffcrypto-tool; keeping the committed file")
        return None
    with open(src, "rb") as f, open(dest, "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(f).encrypt(PASSWORD, out)
    return dest


# ----------------------------------------------------------------------------- checks

# The brief's free-text stage keywords, used here only to check that every progress text in
# the corpus names at most one stage and that expected.py agrees.
STAGE_WORDS = {
    "construction": ("施工", "在建", "主体", "安装"),
    "operating": ("投产", "竣工", "试生产", "运营"),
    "registered": ("注册", "工商", "落地"),
    "negotiating": ("洽谈", "在谈", "对接"),
    "signed": ("签约", "前期手续", "立项", "备案"),
    "stalled": ("暂缓", "停滞", "搁置"),
    "terminated": ("终止", "取消", "退出"),
}


def classify(text: str | None) -> str | None:
    found = {key for key, words in STAGE_WORDS.items() for w in words if w in (text or "")}
    assert len(found) <= 1, f"progress text {text!r} names several stages: {sorted(found)}"
    return found.pop() if found else None


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_grid(path: Path, sheet: str | None, password: str | None = None) -> list[list]:
    """Rows of a file as lists of cell values (python-calamine; openpyxl for the encrypted one)."""
    if path.suffix == ".csv":
        raise ValueError("CSV files are read in check()")
    if password:
        import msoffcrypto

        plain = io.BytesIO()
        with open(path, "rb") as f:
            office = msoffcrypto.OfficeFile(f)
            office.load_key(password=password)
            office.decrypt(plain)
        from openpyxl import load_workbook

        ws = load_workbook(plain, data_only=True)[sheet]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet or wb.sheet_names[0]).to_python(skip_empty_area=False)


UNITS = {"万元": Decimal(10) ** 4, "亿元": Decimal(10) ** 8}


def _number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value).replace(",", ""))


def check_totals(name: str, spec: dict, grid: list[list]) -> list[str]:
    """expected.py's totals are the sums of its rows (USD converted at the stated rate), and the
    合计/小计 cells of the file say the same in the sheet's unit."""
    bad = []
    cols = [field for _label, field in spec["header"]]
    rates = spec.get("fx_rates", {})

    def cny(row) -> Decimal:
        amount, currency = row["amount"]
        if currency == "CNY":
            return amount
        return (amount * rates[(currency, row["signed_on"])]).quantize(Decimal("0.01"))

    groups = []
    if "subtotals" in spec:
        rows = spec["rows"]
        edges = [s["row"] for s in spec["subtotals"]]
        groups = [
            (sub, [r for r in rows if lo < r["row"] < sub["row"]]) for sub, lo in zip(spec["subtotals"], [0] + edges)
        ]
    if "total" in spec:
        groups.append((spec["total"], spec["rows"]))
    for figures, rows in groups:
        for field, (want, currency) in ((k, v) for k, v in figures.items() if k != "row"):
            summed = sum(cny(r) if field == "amount" else r[field][0] for r in rows if r.get(field))
            if summed != want:
                bad.append(f"expected.py: {field} of row {figures['row']} is {want} but its rows add up to {summed}")
            cell = _number(grid[figures["row"] - 1][cols.index(field)])
            if cell is None or (cell * UNITS[spec["unit"]]).quantize(Decimal("0.01")) != want:
                bad.append(f"{name} row {figures['row']} {field}: cell {cell} {spec['unit']} != expected {want}")
    return bad


def check_container(name: str, spec: dict, path: Path) -> list[str]:
    """The file is what its name says: BIFF8 in OLE, ODF zip, an encrypted OLE package, a lying dimension."""
    bad = []
    head = path.read_bytes()[:8]
    ole = head == bytes.fromhex("d0cf11e0a1b11ae1")
    if name.endswith(".xls") and not ole:
        bad.append("legacy.xls is not an OLE compound file")
    if name == "encrypted.xlsx":
        if not ole:
            bad.append("encrypted.xlsx is not an OLE container (not encrypted?)")
        try:
            from python_calamine import CalamineWorkbook

            CalamineWorkbook.from_path(str(path))
            bad.append("python-calamine opened encrypted.xlsx without a password")
        except ImportError:
            pass
        except Exception as exc:  # noqa: BLE001 — whatever a reader meets without the password
            print(f"       (without the password python-calamine says: {type(exc).__name__}: {exc})")
    if name.endswith(".ods"):
        with zipfile.ZipFile(path) as z:
            if z.read("mimetype") != b"application/vnd.oasis.opendocument.spreadsheet":
                bad.append("legacy.ods has the wrong mimetype")
    if "declared_dimension" in spec:
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        found = re.search(r'<dimension ref="([^"]*)"', xml)
        if not found or found.group(1) != spec["declared_dimension"]:
            bad.append(f"dimension record is {found and found.group(1)!r}")
    return bad


VERBATIM = ("name", "region", "investor", "industry", "event", "progress", "liaison", "lead_unit", "notes")


def check() -> int:
    sys.path.insert(0, str(HERE))
    import expected as E

    failures = 0
    total_bytes = 0
    for name, spec in E.SHEETS.items():
        path = HERE / name
        if not path.exists():
            print(f"MISSING {name}")
            failures += 1
            continue
        total_bytes += path.stat().st_size
        if name.endswith(".csv"):
            raw = path.read_bytes()
            grid = list(csv.reader(io.StringIO(raw.decode(spec["encoding"]), newline="")))
            try:
                raw.decode("utf-8")
                print(f"  ! {name} decodes as UTF-8 too")
                failures += 1
            except UnicodeDecodeError:
                pass
            if spec["encoding"] == "gb18030":
                try:
                    raw.decode("gbk")
                    print(f"  ! {name} decodes as GBK: it carries no character GBK lacks")
                    failures += 1
                except UnicodeDecodeError:
                    pass
        else:
            try:
                grid = read_grid(path, spec.get("sheet"), spec.get("password"))
            except ImportError as exc:
                print(f"  (skipping {name}: {exc})")
                continue
        cols = [field for _label, field in spec["header"]]
        bad = []
        for want in spec["rows"]:
            got = grid[want["row"] - 1]
            for field in VERBATIM:
                if field in cols and field in want:
                    have = _text(got[cols.index(field)])
                    if have != want[field]:
                        bad.append(f"row {want['row']} {field}: file {have!r} != expected {want[field]!r}")
            if "blockers" in want:
                have = _text(got[cols.index("blockers")])
                if (have != want["blockers"]) and not (want["blockers"] is None and have == "无"):
                    bad.append(f"row {want['row']} blockers: file {have!r} != expected {want['blockers']!r}")
            if "supporting" in want:
                have = _text(got[cols.index("supporting")]) or ""
                parts = [p for p in re.split(r"[、,，;；\s]+", have) if p]
                if parts != want["supporting"]:
                    bad.append(f"row {want['row']} supporting: file {have!r} != expected {want['supporting']!r}")
            if "progress" in want and "stage" in want and classify(want["progress"]) != want["stage"]:
                bad.append(
                    f"row {want['row']}: stage {want['stage']!r} but keywords say {classify(want['progress'])!r}"
                )
            for field in ("amount", "signed_on", "funds_arrived", "planned_start"):
                if field in cols and want.get(field) is not None and _text(got[cols.index(field)]) is None:
                    bad.append(f"row {want['row']} {field}: cell is empty but expected {want[field]!r}")
        # A label is the lowest header cell with text in its column (merged cells keep theirs on top).
        labels = [
            next(
                (
                    _text(grid[r - 1][i])
                    for r in reversed(spec["header_rows"])
                    if i < len(grid[r - 1]) and _text(grid[r - 1][i])
                ),
                None,
            )
            for i in range(len(spec["header"]))
        ]
        for i, (label, _field) in enumerate(spec["header"]):
            if labels[i] != label:
                bad.append(f"header column {i + 1}: file {labels[i]!r} != expected {label!r}")
        bad += check_totals(name, spec, grid)
        bad += check_container(name, spec, path)
        status = "ok" if not bad else "FAIL"
        failures += bool(bad)
        first = spec["rows"][0]["row"] - 1
        print(f"{status:4} {name:28} {path.stat().st_size:7,d} B  {len(spec['rows']):2d} rows")
        for r in grid[first : first + 2]:
            print("       ", [v for v in r if v not in (None, "")][:8])
        for line in bad:
            print("      ", line)
    for name in sorted(p.name for p in HERE.iterdir() if p.suffix in (".xlsx", ".xls", ".ods", ".csv")):
        if name not in E.SHEETS:
            print(f"  ! {name} has no entry in expected.py")
            failures += 1
    print(f"all files: {total_bytes:,d} bytes")
    return failures


# ------------------------------------------------------------------------------ main


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        print("writing into", HERE)
        weekly = make_county_weekly()
        for make in (make_chinese_numerals, make_usd_total, make_departments, make_stale, make_huge_dimension):
            make()
        for name in FUNDS_VERSIONS:
            make_funds(name)
        make_csvs()
        convert(weekly, "xls", "MS Excel 97", "legacy.xls")
        convert(weekly, "ods", "calc8", "legacy.ods")
        make_encrypted(weekly)
    return 1 if check() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
