"""What a correct importer must land from each sheet in this folder, cell by cell.

Written by hand from the cells as the county offices typed them (see make_sheets.py); nothing
here is computed by this project's code. `python make_sheets.py --check` compares the verbatim
fields below with the files, and checks each stage against the keyword rules.

SHEETS maps a file name to a dict:

    sheet         the worksheet's name (None for CSV)
    encoding      CSV only: the file's encoding
    password      encrypted.xlsx only: the password to open it
    header_rows   1-based row numbers of the header (two rows where the header is merged)
    header        [(label as written, field)] in column order; a label in a merged two-row header is
                  the lower cell when there is one, else the merged upper cell. Labels keep their line
                  breaks and full-width brackets. Field "seq" is the 序号 column, "code" a project code.
    unit          the amount unit the sheet declares (a title line or the headers), else None
    rows          one dict per data row, in file order, with the 1-based spreadsheet row "row"
                  and one key per field of `header` (fields a sheet lacks are absent):

      seq                int as written in 序号 (None if blank)
      code               str (gb18030.csv only)
      name, region, investor, industry, event, liaison, lead_unit, notes
                         str exactly as written (region is NOT normalised: 涿州, 清苑县,
                         定州市（省直管）, 雄安新区（容城县） stay as they are), None if blank
      signed_on          datetime.date (times of day dropped), None if blank
      amount             (Decimal with 2 places, "CNY" | "USD") in yuan / dollars, never 亿 or 万
      funds_arrived      cumulative 到位资金 as (Decimal, currency); None when blank or "—"
      funds_this_month   funding_cumulative sheets only: the month's arrivals, (Decimal, currency)
      progress           the free text the stage is read from, verbatim
      stage              the stage key it classifies to (STAGE_KEYWORDS), None when it names no stage:
                         the deal keeps its stage and the importer warns
      blockers           the problems text verbatim; None when blank or written 无 ("none")
      supporting         list of department names (配合单位 split on 、 , ； and line breaks)
      planned_start, planned_completion
                         (year, month) where only a month is written (2020年7月, 2020.9, 2020年8月底,
                         2020年底 → (2020, 12)); datetime.date where a full date is written;
                         None when blank or 待定

    total         the 合计 row: its row and the figures it states, as (Decimal, currency) in CNY;
                  the figures equal the sum of the rows (usd_total: after converting USD)
    subtotals     usd_total.xlsx only: the 小计 rows
    notes         what the sheet is there to test

Amounts in a 万元 or 亿元 column are that unit unless the cell names its own (3.5亿元 in a 万元
column is 3.5亿元). Floats in the files (1.8, 2.05, 0.3 亿元) are not exact in binary: the
amount is rounded to the cent (ROUND_HALF_UP), so 2.05亿元 is Decimal("205000000.00").
"""

from datetime import date
from decimal import Decimal

CNY = "CNY"
USD = "USD"

# Free text → stage key, as bureaus write progress. A text naming words of two different
# stages is avoided in this corpus (make_sheets.py checks it); no keyword → None.
STAGE_KEYWORDS = {
    "construction": ("施工", "在建", "主体", "安装"),
    "operating": ("投产", "竣工", "试生产", "运营"),
    "registered": ("注册", "工商", "落地"),
    "negotiating": ("洽谈", "在谈", "对接"),
    "signed": ("签约", "前期手续", "立项", "备案"),
    "stalled": ("暂缓", "停滞", "搁置"),
    "terminated": ("终止", "取消", "退出"),
}

# ------------------------------------------------------------------ county_weekly.xlsx

_WEEKLY_HEADER = [
    ("序号", "seq"), ("所属县区", "region"), ("项目名称", "name"), ("企业名称", "investor"), ("产业领域", "industry"),
    ("签约时间", "signed_on"), ("总投资\n（万元）", "amount"), ("实际到位资金（万元）", "funds_arrived"),
    ("项目进度", "progress"), ("需要协调解决的问题", "blockers"), ("分包县领导", "liaison"), ("主责单位", "lead_unit"),
    ("预计开工时间", "planned_start"), ("预计竣工时间", "planned_completion"), ("备注", "notes"),
]

_WEEKLY_ROWS = [
    {"row": 5, "seq": 1, "region": "涿州市", "name": "华侨城涿州城市客厅项目", "investor": "华侨城集团有限公司",
     "industry": "文旅", "signed_on": date(2020, 5, 18),
     "amount": (Decimal("8000000000.00"), CNY), "funds_arrived": (Decimal("0.00"), CNY),
     "progress": "正在办理前期手续", "stage": "signed",
     "blockers": "拒马河综合整治及湿地公园涉及河道管理范围，需省水利厅审批",
     "liaison": "张建国", "lead_unit": "涿州市文化广电和旅游局",
     "planned_start": (2020, 9), "planned_completion": (2023, 12), "notes": "中国·廊坊国际经济贸易洽谈会签约"},
    {"row": 6, "seq": 2, "region": "涿州市", "name": "中国创投(涿州)总部项目", "investor": "中国创投控股集团有限公司",
     "industry": "大数据", "signed_on": date(2020, 5, 18),  # typed as text "2020.5.18"
     "amount": (Decimal("2500000000.00"), CNY), "funds_arrived": (Decimal("50000000.00"), CNY),
     "progress": "已完成工商注册", "stage": "registered", "blockers": "项目用地指标尚未解决",
     "liaison": "刘志强", "lead_unit": "涿州市发展和改革局",
     "planned_start": (2020, 7), "planned_completion": (2022, 12), "notes": "中国·廊坊国际经济贸易洽谈会签约"},
    {"row": 7, "seq": 3, "region": "涿州市", "name": "涿州智能装备产业园项目", "investor": "河北京南智能装备制造有限公司",
     "industry": "先进制造", "signed_on": date(2019, 11, 20),
     "amount": (Decimal("1200000000.00"), CNY), "funds_arrived": (Decimal("360000000.00"), CNY),
     "progress": "已开工建设，主体施工中", "stage": "construction", "blockers": None,
     "liaison": "王海涛", "lead_unit": "涿州经济开发区管委会",
     "planned_start": (2020, 3), "planned_completion": (2021, 6), "notes": None},
    {"row": 8, "seq": 4, "region": "涿州", "name": "涿州生物医药产业园项目", "investor": "北京华恒生物医药科技有限公司",
     "industry": "生物医药", "signed_on": date(2019, 12, 6),
     "amount": (Decimal("350000000.00"), CNY),  # "3.5亿元" typed into the 万元 column
     "funds_arrived": (Decimal("45655000.00"), CNY),  # 4565.5 万元
     "progress": "设备安装调试", "stage": "construction", "blockers": "厂区外10千伏供电线路需供电公司加快接入",
     "liaison": "孙红梅", "lead_unit": "涿州市工业和信息化局",
     "planned_start": (2019, 12), "planned_completion": (2020, 8), "notes": None},  # 2020年8月底
    {"row": 9, "seq": 5, "region": "涿州市", "name": "涿州新能源汽车零部件项目", "investor": "河北华驰新能源汽车零部件有限公司",
     "industry": "新能源", "signed_on": date(2019, 8, 16),
     "amount": (Decimal("600000000.00"), CNY), "funds_arrived": (Decimal("450000000.00"), CNY),
     "progress": "试生产", "stage": "operating", "blockers": None,
     "liaison": "王海涛", "lead_unit": "涿州经济开发区管委会",
     "planned_start": (2019, 10), "planned_completion": (2020, 6), "notes": None},
    {"row": 10, "seq": 6, "region": "涿州市", "name": "涿州松林店光伏发电项目", "investor": "河北冀能新能源开发有限公司",
     "industry": "新能源", "signed_on": date(2019, 9, 25),  # "2019.9.25"
     "amount": (Decimal("800000000.00"), CNY), "funds_arrived": (Decimal("20000000.00"), CNY),
     "progress": "因资金问题暂缓推进", "stage": "stalled", "blockers": "企业融资未到位，需协调金融机构支持",
     "liaison": "陈卫东", "lead_unit": "涿州市发展和改革局",
     "planned_start": (2020, 4), "planned_completion": (2020, 12), "notes": "已约谈企业负责人"},  # 2020年底
    {"row": 11, "seq": 7, "region": "涿州市", "name": "涿州大数据产业园项目", "investor": "北京数智云科技有限公司",
     "industry": "大数据", "signed_on": None,
     "amount": (Decimal("1500000000.00"), CNY), "funds_arrived": None,  # "—"
     "progress": "洽谈对接中", "stage": "negotiating", "blockers": None,
     "liaison": "刘志强", "lead_unit": "涿州市商务局",
     "planned_start": None, "planned_completion": None, "notes": "意向投资额"},  # 待定, 待定
    {"row": 12, "seq": 8, "region": "涿州市", "name": "涿州农副产品冷链物流项目", "investor": "北京鲜达冷链物流有限公司",
     "industry": "现代物流", "signed_on": date(2019, 6, 12),
     "amount": (Decimal("300000000.00"), CNY), "funds_arrived": (Decimal("0.00"), CNY),
     "progress": "项目已终止", "stage": "terminated", "blockers": None,
     "liaison": "赵立新", "lead_unit": "涿州市商务局",
     "planned_start": None, "planned_completion": None, "notes": "投资方退出，已解除投资协议"},
    {"row": 13, "seq": 9, "region": "涿州市", "name": "涿州航空装备维修基地项目", "investor": "北京蓝天航空装备维修工程有限公司",
     "industry": "先进制造", "signed_on": date(2020, 1, 10),
     "amount": (Decimal("1000000000.00"), CNY), "funds_arrived": (Decimal("80000000.00"), CNY),
     "progress": "规划方案已通过专家评审", "stage": None,  # no stage word: keeps its stage, with a warning
     "blockers": "需协调规划部门加快办理建设工程规划许可证",
     "liaison": "张建国", "lead_unit": "涿州市自然资源和规划局",
     "planned_start": date(2020, 10, 15), "planned_completion": (2022, 6), "notes": None},
    {"row": 14, "seq": 10, "region": "涿州市", "name": "涿州影视文化小镇项目", "investor": "北京星光影视文化发展有限公司",
     "industry": "文旅", "signed_on": date(2020, 4, 28),  # a bare serial number 43949, no date format
     "amount": (Decimal("2000000000.00"), CNY), "funds_arrived": (Decimal("0.00"), CNY),
     "progress": "已签约，正在编制可研报告", "stage": "signed", "blockers": None,
     "liaison": "孙红梅", "lead_unit": "涿州市文化广电和旅游局",
     "planned_start": (2020, 12), "planned_completion": (2024, 6), "notes": "2020京津冀产业合作推介会签约"},
    {"row": 15, "seq": 11, "region": "涿州市", "name": "涿州医疗器械产业园项目", "investor": "河北康泰医疗器械有限公司",
     "industry": "生物医药", "signed_on": date(2018, 10, 30),
     "amount": (Decimal("450000000.00"), CNY), "funds_arrived": (Decimal("450000000.00"), CNY),
     "progress": "已竣工，进入运营阶段", "stage": "operating", "blockers": None,
     "liaison": "陈卫东", "lead_unit": "涿州市工业和信息化局",
     "planned_start": (2019, 3), "planned_completion": (2020, 4), "notes": None},
    {"row": 16, "seq": 12, "region": "涿州市", "name": "涿州高性能新材料项目", "investor": "北京中科新材科技有限公司",
     "industry": "新材料", "signed_on": date(2020, 3, 16),
     "amount": (Decimal("500000000.00"), CNY), "funds_arrived": (Decimal("0.00"), CNY),
     "progress": "完成立项备案，正在办理土地手续", "stage": "signed",
     "blockers": "1.土地组卷报批进度慢；\n2.环评审批需提速",  # two problems in one cell, Alt+Enter between
     "liaison": "赵立新", "lead_unit": "涿州市行政审批局",
     "planned_start": (2020, 9), "planned_completion": (2021, 12), "notes": None},  # "2020.9"
]

_WEEKLY = {
    "sheet": "台账",
    "title": "保定市2020年重点招商项目推进情况台账",
    "filled_by": "涿州市商务局",
    "filled_on": date(2020, 5, 22),
    "unit": "万元",
    "header_rows": (3, 4),
    "header": _WEEKLY_HEADER,
    "rows": _WEEKLY_ROWS,
    # 1,920,000 万元 and 145,565.5 万元; the two note lines below it (rows 18-19) are not data.
    "total": {"row": 17, "amount": (Decimal("19200000000.00"), CNY),
              "funds_arrived": (Decimal("1455655000.00"), CNY)},
    "notes": "title, a 填报单位/填报日期/单位 line, a merged two-row header, 合计 and footer lines",
}

# ---------------------------------------------------------------- chinese_numerals.xlsx

_LANGFANG = "中国·廊坊国际经济贸易洽谈会"
_JJJ = "2020京津冀产业合作推介会"
_RAIL = "中国·保定轨道交通产业线上招商推介会"

_NUMERALS_ROWS = [
    {"row": 3, "seq": 1, "region": "涿州市", "name": "华侨城涿州城市客厅项目", "investor": "华侨城集团有限公司",
     "industry": "文旅", "event": _LANGFANG,
     "signed_on": date(2020, 5, 18),  # 二〇二〇年五月十八日 (〇 U+3007)
     "amount": (Decimal("8000000000.00"), CNY),  # 八十亿元
     "notes": "总建筑面积81.9万平方米"},
    {"row": 4, "seq": 2, "region": "涿州市", "name": "涿州现代供应链金融创新示范基地项目",
     "investor": "京津冀供应链管理（北京）有限公司", "industry": "大数据", "event": _LANGFANG,
     "signed_on": date(2020, 5, 18),  # 二○二○年五月十八日 (○ U+25CB WHITE CIRCLE)
     "amount": (Decimal("180000000.00"), USD),  # 一点八亿美元
     "notes": "外资项目"},
    {"row": 5, "seq": 3, "region": "涿州市", "name": "中国创投(涿州)总部项目", "investor": "中国创投控股集团有限公司",
     "industry": "大数据", "event": _LANGFANG,
     "signed_on": date(2020, 5, 18),  # 二零二零年五月十八日
     "amount": (Decimal("2500000000.00"), CNY),  # 25亿元左右
     "notes": None},
    {"row": 6, "seq": 4, "region": "高碑店市", "name": "高碑店被动式超低能耗建筑产业园项目", "investor": "河北绿建科技有限公司",
     "industry": "节能环保", "event": _LANGFANG,
     "signed_on": date(2020, 5, 18),  # 2020年5月18日 10:00
     "amount": (Decimal("200000000.00"), CNY),  # 两亿元
     "notes": None},
    {"row": 7, "seq": 5, "region": "定州市", "name": "定州新能源汽车配套产业园项目", "investor": "定州华驰新能源科技有限公司",
     "industry": "新能源", "event": _LANGFANG,
     "signed_on": date(2020, 5, 18),  # 2020年5月18日09时30分
     "amount": (Decimal("180000000.00"), CNY),  # 1亿8千万元
     "notes": None},
    {"row": 8, "seq": 6, "region": "安国市", "name": "安国现代中药饮片加工项目", "investor": "安国药都中药饮片有限公司",
     "industry": "生物医药", "event": _LANGFANG,
     "signed_on": date(2020, 5, 18),  # 2020年5月18日（星期一） — it was a Monday
     "amount": (Decimal("205000000.00"), CNY),  # 2亿零500万元
     "notes": None},
    {"row": 9, "seq": 7, "region": "莲池区", "name": "莲池区大数据产业园项目", "investor": "保定云谷数据科技有限公司",
     "industry": "大数据", "event": _JJJ,
     "signed_on": date(2020, 4, 28),  # 2020.4.28
     "amount": (Decimal("300000000.00"), CNY),  # 3个亿
     "notes": None},
    {"row": 10, "seq": 8, "region": "雄安新区", "name": "雄安新区智慧城市数据中心项目", "investor": "雄安数联科技有限公司",
     "industry": "大数据", "event": _JJJ,
     "signed_on": date(2020, 4, 28),  # 二〇二〇年四月二十八日
     "amount": (Decimal("180000000.00"), CNY),  # 人民币壹亿捌仟万元整
     "notes": "按合同大写金额填报"},
    {"row": 11, "seq": 9, "region": "清苑区", "name": "清苑区生物医药中间体项目", "investor": "保定康源医药化工有限公司",
     "industry": "生物医药", "event": _JJJ,
     "signed_on": date(2020, 4, 28),  # 2020年4月28日
     "amount": (Decimal("5000.00"), CNY),  # 5000元整 — land what is written; the note doubts it
     "notes": "原表如此，疑为5000万元"},
    {"row": 12, "seq": 10, "region": "徐水区", "name": "徐水区轨道交通装备配套项目", "investor": "香港恒达国际投资有限公司",
     "industry": "先进制造", "event": _RAIL,
     "signed_on": date(2020, 4, 16),  # 二〇二〇年四月十六日
     "amount": (Decimal("180000000.00"), USD),  # 1.8億美元 (traditional 億)
     "notes": "港资项目，繁体原文"},
    {"row": 13, "seq": 11, "region": "易县", "name": "易县清西陵文化旅游综合开发项目", "investor": "易县易水文化旅游发展有限公司",
     "industry": "文旅", "event": _JJJ,
     "signed_on": date(2020, 4, 28),
     "amount": (Decimal("30000000.00"), CNY),  # 3000萬元 (traditional 萬)
     "notes": None},
    {"row": 14, "seq": 12, "region": "高碑店市", "name": "高碑店中外合资物流装备项目", "investor": "Orient Logistics Holdings Ltd.",
     "industry": "先进制造", "event": None,
     "signed_on": date(2020, 1, 10),  # 二〇二〇年一月十日
     "amount": (Decimal("180000000.00"), USD),  # 180 million US dollars
     "notes": "外方提供英文协议"},
    {"row": 15, "seq": 13, "region": "满城区", "name": "满城区造纸产业升级改造项目", "investor": "保定满城纸业有限公司",
     "industry": "节能环保", "event": None,
     "signed_on": date(2020, 3, 16),  # a real date cell
     "amount": (Decimal("45650000.00"), CNY),  # 4565万元
     "notes": None},
]

# ----------------------------------------------------------------------- usd_total.xlsx

_USD_ROWS = [
    {"row": 5, "seq": 1, "name": "涿州现代供应链金融创新示范基地项目", "investor": "京津冀供应链管理（北京）有限公司",
     "industry": "大数据", "event": _LANGFANG, "signed_on": date(2020, 5, 18),
     "amount": (Decimal("180000000.00"), USD),  # 1.8 in the 亿元 column, 币种 美元
     "amount_cny": (Decimal("1278000000.00"), CNY),  # at 7.10, as the note states
     "progress": "已签约", "stage": "signed", "notes": "网上签约"},
    {"row": 6, "seq": 2, "name": "中国创投(涿州)总部项目", "investor": "中国创投控股集团有限公司",
     "industry": "大数据", "event": _LANGFANG, "signed_on": date(2020, 5, 18),
     "amount": (Decimal("2500000000.00"), CNY),
     "progress": "已完成工商注册", "stage": "registered", "notes": "网上签约"},
    {"row": 7, "seq": 3, "name": "华侨城涿州城市客厅项目", "investor": "华侨城集团有限公司",
     "industry": "文旅", "event": _LANGFANG, "signed_on": date(2020, 5, 18),
     "amount": (Decimal("8000000000.00"), CNY),
     "progress": "正在办理前期手续", "stage": "signed", "notes": "网上签约，总建筑面积81.9万平方米"},
    {"row": 10, "seq": 4, "name": "涿州影视文化小镇项目", "investor": "北京星光影视文化发展有限公司",
     "industry": "文旅", "event": _JJJ, "signed_on": date(2020, 4, 28),
     "amount": (Decimal("2000000000.00"), CNY),
     "progress": "已签约，正在编制可研报告", "stage": "signed", "notes": None},
    {"row": 11, "seq": 5, "name": "涿州生物医药产业园二期项目", "investor": "北京华恒生物医药科技有限公司",
     "industry": "生物医药", "event": _JJJ, "signed_on": date(2020, 4, 28),
     "amount": (Decimal("350000000.00"), CNY),
     "progress": "已签约", "stage": "signed", "notes": None},
    {"row": 12, "seq": 6, "name": "涿州高性能新材料项目", "investor": "北京中科新材科技有限公司",
     "industry": "新材料", "event": None, "signed_on": date(2020, 3, 16),
     "amount": (Decimal("500000000.00"), CNY),
     "progress": "完成立项备案，正在办理土地手续", "stage": "signed", "notes": "日常招商"},
    {"row": 13, "seq": 7, "name": "涿州航空装备维修基地项目", "investor": "北京蓝天航空装备维修工程有限公司",
     "industry": "先进制造", "event": None, "signed_on": date(2020, 1, 10),
     "amount": (Decimal("1000000000.00"), CNY),
     "progress": "规划方案已通过专家评审", "stage": None, "notes": "日常招商"},
]

# -------------------------------------------------------------- departments_1_to_14.xlsx

_DEPT_ROWS = [
    {"row": 3, "seq": 1, "region": "清苑区", "name": "保定清苑汽车零部件产业园项目", "investor": "保定恒信汽车零部件有限公司",
     "industry": "先进制造", "signed_on": date(2019, 9, 6), "amount": (Decimal("850000000.00"), CNY),
     "progress": "已签约", "stage": "signed",
     "lead_unit": "责任单位10", "supporting": ["责任单位1", "责任单位11"], "liaison": "张建国"},
    {"row": 4, "seq": 2, "region": "清苑县", "name": "清苑温泉康养小镇项目", "investor": "河北温泉康养产业发展有限公司",
     "industry": "文旅", "signed_on": date(2019, 10, 15), "amount": (Decimal("1500000000.00"), CNY),
     "progress": "在建", "stage": "construction",
     "lead_unit": "责任单位1", "supporting": ["责任单位10"], "liaison": "刘志强"},
    {"row": 5, "seq": 3, "region": "定州市（省直管）", "name": "定州体育用品产业园项目", "investor": "河北奥体运动器材有限公司",
     "industry": "先进制造", "signed_on": date(2020, 4, 28), "amount": (Decimal("1200000000.00"), CNY),
     "progress": "已投产", "stage": "operating",
     "lead_unit": "责任单位11", "supporting": ["责任单位1", "责任单位12"], "liaison": "王海涛"},  # ASCII comma
    {"row": 6, "seq": 4, "region": "安新县", "name": "安新县光伏储能项目", "investor": "河北冀能新能源开发有限公司",
     "industry": "新能源", "signed_on": date(2019, 7, 22), "amount": (Decimal("400000000.00"), CNY),
     "progress": "洽谈中", "stage": "negotiating",
     "lead_unit": "责任单位2", "supporting": [], "liaison": "孙红梅"},
    {"row": 7, "seq": 5, "region": "雄安新区", "name": "雄安新区数字经济产业园项目", "investor": "雄安数联科技有限公司",
     "industry": "大数据", "signed_on": date(2019, 11, 20), "amount": (Decimal("1200000000.00"), CNY),
     "progress": "已注册", "stage": "registered",
     "lead_unit": "责任单位12", "supporting": ["责任单位2", "责任单位14"], "liaison": "陈卫东"},  # full-width ；
    {"row": 8, "seq": 6, "region": "高碑店市", "name": "高碑店氢能源装备制造项目", "investor": "河北氢途能源科技有限公司",
     "industry": "新能源", "signed_on": date(2020, 1, 10), "amount": (Decimal("1500000000.00"), CNY),
     "progress": "停滞", "stage": "stalled",
     "lead_unit": "责任单位3", "supporting": ["责任单位13", "责任单位4"], "liaison": "赵立新"},  # 、 and a line break
    {"row": 9, "seq": 7, "region": "莲池区", "name": "莲池区大数据产业园项目", "investor": "保定云谷数据科技有限公司",
     "industry": "大数据", "signed_on": date(2020, 4, 28), "amount": (Decimal("300000000.00"), CNY),
     "progress": "已取消", "stage": "terminated",
     "lead_unit": "责任单位13", "supporting": ["责任单位3"], "liaison": "张建国"},
    {"row": 10, "seq": 8, "region": "竞秀区", "name": "竞秀区新一代信息技术产业园项目", "investor": "保定智芯电子科技有限公司",
     "industry": "新一代信息技术", "signed_on": date(2020, 3, 16), "amount": (Decimal("620000000.00"), CNY),
     "progress": "签约", "stage": "signed",
     "lead_unit": "责任单位4", "supporting": ["责任单位14"], "liaison": "刘志强"},
    {"row": 11, "seq": 9, "region": "满城区", "name": "满城区造纸产业升级改造项目", "investor": "保定满城纸业有限公司",
     "industry": "节能环保", "signed_on": date(2019, 5, 8), "amount": (Decimal("280000000.00"), CNY),
     "progress": "施工", "stage": "construction",
     "lead_unit": "责任单位14", "supporting": ["责任单位4", "责任单位1"], "liaison": "王海涛"},
    {"row": 12, "seq": 10, "region": "徐水区", "name": "徐水区智能电网装备项目", "investor": "保定博电智能电气有限公司",
     "industry": "新能源及智能电网", "signed_on": date(2018, 12, 20), "amount": (Decimal("500000000.00"), CNY),
     "progress": "运营", "stage": "operating",
     "lead_unit": "责任单位5", "supporting": [], "liaison": "孙红梅"},
    {"row": 13, "seq": 11, "region": "涿州市", "name": "华侨城涿州城市客厅项目", "investor": "华侨城集团有限公司",
     "industry": "文旅", "signed_on": date(2020, 5, 18), "amount": (Decimal("8000000000.00"), CNY),
     "progress": "在谈", "stage": "negotiating",
     "lead_unit": "责任单位6", "supporting": ["责任单位5"], "liaison": "陈卫东"},
    {"row": 14, "seq": 12, "region": "安国市", "name": "安国现代中药饮片加工项目", "investor": "安国药都中药饮片有限公司",
     "industry": "生物医药", "signed_on": date(2020, 5, 18), "amount": (Decimal("205000000.00"), CNY),  # 2.05 亿元
     "progress": "已落地", "stage": "registered",
     "lead_unit": "责任单位7", "supporting": ["责任单位6"], "liaison": "赵立新"},
    {"row": 15, "seq": 13, "region": "易县", "name": "易县清西陵文化旅游综合开发项目", "investor": "易县易水文化旅游发展有限公司",
     "industry": "文旅", "signed_on": date(2020, 4, 28), "amount": (Decimal("30000000.00"), CNY),  # 0.3 亿元
     "progress": "暂缓", "stage": "stalled",
     "lead_unit": "责任单位8", "supporting": ["责任单位7"], "liaison": "张建国"},
    {"row": 16, "seq": 14, "region": "白沟新城", "name": "白沟箱包产业转型升级项目", "investor": "河北白沟箱包产业集团有限公司",
     "industry": "先进制造", "signed_on": date(2020, 4, 28), "amount": (Decimal("500000000.00"), CNY),
     "progress": "终止", "stage": "terminated",
     "lead_unit": "责任单位9", "supporting": ["责任单位8"], "liaison": "刘志强"},
]

# --------------------------------------------------------------------------- stale.xlsx

# "prior" is the ledger the test sets up before importing: the stage and the day it was set.
# "outcome": "same" (nothing to do), "moves" (a stage change to the sheet's stage, effective on
# the sheet's as-of date 2020-03-31, not on the day of the import), "behind" (the ledger moved
# on after 2020-03-31; the stale sheet must not roll it back).
_STALE_ROWS = [
    {"row": 5, "seq": 1, "region": "安新县", "name": "白洋淀码头文旅提升项目", "investor": "河北白洋淀旅游发展有限公司",
     "industry": "文旅", "signed_on": date(2019, 9, 6), "amount": (Decimal("350000000.00"), CNY),
     "progress": "已开工，码头主体施工中", "stage": "construction", "blockers": "施工用水用电临时接入需协调",
     "liaison": "马国强", "lead_unit": "安新县文化广电和旅游局",
     "prior": ("signed", date(2019, 9, 6)), "outcome": "moves", "effective_on": date(2020, 3, 31)},
    {"row": 6, "seq": 2, "region": "雄安新区", "name": "雄安新区数字经济产业园项目", "investor": "雄安数联科技有限公司",
     "industry": "大数据", "signed_on": date(2019, 11, 20), "amount": (Decimal("1200000000.00"), CNY),
     "progress": "已完成工商注册", "stage": "registered", "blockers": None,
     "liaison": "周志刚", "lead_unit": "雄安新区改革发展局",
     "prior": ("registered", date(2020, 1, 15)), "outcome": "same"},
    {"row": 7, "seq": 3, "region": "安新县", "name": "安新县现代农业科技示范园项目", "investor": "河北淀上农业科技有限公司",
     "industry": "现代农业", "signed_on": date(2019, 12, 18), "amount": (Decimal("150000000.00"), CNY),
     "progress": "正在办理前期手续", "stage": "signed", "blockers": "设施农用地审批进度慢",
     "liaison": "马国强", "lead_unit": "安新县农业农村局",
     "prior": ("construction", date(2020, 4, 15)), "outcome": "behind"},
    {"row": 8, "seq": 4, "region": "雄安新区（容城县）", "name": "雄安新区生物医药研发中心项目",
     "investor": "北京康宁生物医药研究院有限公司", "industry": "生物医药", "signed_on": None,
     "amount": (Decimal("600000000.00"), CNY),
     "progress": "洽谈对接中", "stage": "negotiating", "blockers": None,
     "liaison": "周志刚", "lead_unit": "雄安新区改革发展局",
     "prior": ("negotiating", date(2019, 12, 1)), "outcome": "same"},
    {"row": 9, "seq": 5, "region": "安新县", "name": "安新县光伏储能项目", "investor": "河北冀能新能源开发有限公司",
     "industry": "新能源", "signed_on": date(2019, 7, 22), "amount": (Decimal("400000000.00"), CNY),
     "progress": "因征地问题暂缓推进", "stage": "stalled", "blockers": "光伏用地涉及基本农田，需调整选址",
     "liaison": "吴建华", "lead_unit": "安新县发展和改革局",
     "prior": ("stalled", date(2020, 2, 10)), "outcome": "same"},
    {"row": 10, "seq": 6, "region": "雄安新区（安新县）", "name": "雄安新区智能网联汽车测试基地项目",
     "investor": "北京智行汽车科技有限公司", "industry": "先进制造", "signed_on": date(2019, 12, 26),
     "amount": (Decimal("800000000.00"), CNY),
     "progress": "正在办理前期手续", "stage": "signed", "blockers": None,
     "liaison": "吴建华", "lead_unit": "雄安新区规划建设局",
     "prior": ("signed", date(2019, 12, 26)), "outcome": "same"},
]

# ------------------------------------------------------------------- huge_dimension.xlsx

_HUGE_ROWS = [
    {"row": 2, "seq": 1, "region": "莲池区", "name": "莲池区大数据产业园项目", "investor": "保定云谷数据科技有限公司",
     "industry": "大数据", "signed_on": date(2020, 4, 28), "amount": (Decimal("300000000.00"), CNY),
     "progress": "已签约", "stage": "signed"},
    {"row": 3, "seq": 2, "region": "竞秀区", "name": "竞秀区新一代信息技术产业园项目", "investor": "保定智芯电子科技有限公司",
     "industry": "新一代信息技术", "signed_on": date(2020, 3, 16), "amount": (Decimal("620000000.00"), CNY),
     "progress": "在建", "stage": "construction"},
    {"row": 4, "seq": 3, "region": "涿州市", "name": "华侨城涿州城市客厅项目", "investor": "华侨城集团有限公司",
     "industry": "文旅", "signed_on": date(2020, 5, 18), "amount": (Decimal("8000000000.00"), CNY),
     "progress": "签约", "stage": "signed"},
    {"row": 5, "seq": 4, "region": "定州市", "name": "定州体育用品产业园项目", "investor": "河北奥体运动器材有限公司",
     "industry": "先进制造", "signed_on": date(2020, 4, 28), "amount": (Decimal("1200000000.00"), CNY),
     "progress": "已注册", "stage": "registered"},
    {"row": 6, "seq": 5, "region": "高碑店市", "name": "高碑店氢能源装备制造项目", "investor": "河北氢途能源科技有限公司",
     "industry": "新能源", "signed_on": date(2020, 1, 10), "amount": (Decimal("1500000000.00"), CNY),
     "progress": "洽谈中", "stage": "negotiating"},
]

# -------------------------------------------------------------- funds_cumulative_v1/v2

_FUNDS_HEADER = [
    ("序号", "seq"), ("县（市、区）", "region"), ("项目名称", "name"), ("投资方", "investor"), ("总投资（万元）", "amount"),
    ("本月到位资金（万元）", "funds_this_month"), ("累计到位资金（万元）", "funds_arrived"),
    ("资金到位率", "funds_rate"),  # 累计 ÷ 总投资, a percent cell: derived, not landed
    ("备注", "notes"),
]


def _funds_row(row, seq, region, name, investor, amount, month, cumulative, notes):
    return {"row": row, "seq": seq, "region": region, "name": name, "investor": investor,
            "amount": (Decimal(amount), CNY), "funds_this_month": (Decimal(month), CNY),
            "funds_arrived": (Decimal(cumulative), CNY), "notes": notes}


_FUNDS_V1_ROWS = [
    _funds_row(5, 1, "高碑店市", "高碑店被动式超低能耗建筑产业园项目", "河北绿建科技有限公司",
               "2000000000.00", "50000000.00", "300000000.00", None),
    _funds_row(6, 2, "定州市", "定州新能源汽车配套产业园项目", "定州华驰新能源科技有限公司",
               "180000000.00", "30000000.00", "90000000.00", None),
    _funds_row(7, 3, "清苑区", "保定清苑汽车零部件产业园项目", "保定恒信汽车零部件有限公司",
               "1200000000.00", "0.00", "200000000.00", "本月无新增到位资金"),
    _funds_row(8, 4, "莲池区", "莲池区大数据产业园项目", "保定云谷数据科技有限公司",
               "300000000.00", "20000000.00", "60000000.00", None),
    _funds_row(9, 5, "安国市", "安国现代中药饮片加工项目", "安国药都中药饮片有限公司",
               "205000000.00", "5000000.00", "123005000.00", None),  # 12,300.5 万元
    _funds_row(10, 6, "涿州市", "华侨城涿州城市客厅项目", "华侨城集团有限公司",
               "8000000000.00", "0.00", "0.00", "5月18日签约"),
]
_FUNDS_V2_ROWS = [
    _funds_row(5, 1, "高碑店市", "高碑店被动式超低能耗建筑产业园项目", "河北绿建科技有限公司",
               "2000000000.00", "80000000.00", "380000000.00", None),
    _funds_row(6, 2, "定州市", "定州新能源汽车配套产业园项目", "定州华驰新能源科技有限公司",
               "180000000.00", "15000000.00", "105000000.00", None),
    _funds_row(7, 3, "清苑区", "保定清苑汽车零部件产业园项目", "保定恒信汽车零部件有限公司",
               "1200000000.00", "0.00", "200000000.00", "本月无新增到位资金"),
    _funds_row(8, 4, "莲池区", "莲池区大数据产业园项目", "保定云谷数据科技有限公司",
               "300000000.00", "40000000.00", "100000000.00", None),
    _funds_row(9, 5, "安国市", "安国现代中药饮片加工项目", "安国药都中药饮片有限公司",
               "205000000.00", "12000000.00", "135005000.00", None),  # 13,500.5 万元
    _funds_row(10, 6, "涿州市", "华侨城涿州城市客厅项目", "华侨城集团有限公司",
               "8000000000.00", "200000000.00", "200000000.00", "首笔资金到位"),
]

# Importing v1 then v2: the arrivals the ledger gains from v2 are the cumulative differences
# (v2 − v1, which equal v2's 本月 column); importing v2 twice adds nothing; the ledger's
# cumulative after both equals v2's 累计 column. Keyed by deal name.
FUNDS_V2_MINUS_V1 = {
    "高碑店被动式超低能耗建筑产业园项目": (Decimal("80000000.00"), CNY),
    "定州新能源汽车配套产业园项目": (Decimal("15000000.00"), CNY),
    "保定清苑汽车零部件产业园项目": (Decimal("0.00"), CNY),
    "莲池区大数据产业园项目": (Decimal("40000000.00"), CNY),
    "安国现代中药饮片加工项目": (Decimal("12000000.00"), CNY),
    "华侨城涿州城市客厅项目": (Decimal("200000000.00"), CNY),
}

# ---------------------------------------------------------------------------- gbk.csv

_GBK_ROWS = [
    {"row": 3, "seq": 1, "region": "高碑店市", "name": "高碑店被动式超低能耗建筑产业园项目", "investor": "河北绿建科技有限公司",
     "industry": "节能环保", "signed_on": date(2020, 5, 18), "amount": (Decimal("2000000000.00"), CNY),  # "200,000"
     "funds_arrived": (Decimal("380000000.00"), CNY), "progress": "主体施工中", "stage": "construction",
     "blockers": None,  # 无
     "liaison": "郭振华", "lead_unit": "高碑店市发展和改革局", "planned_start": (2020, 3),
     "notes": "中国·廊坊国际经济贸易洽谈会签约"},
    {"row": 4, "seq": 2, "region": "白沟新城", "name": "白沟箱包产业转型升级项目", "investor": "河北白沟箱包产业集团有限公司",
     "industry": "先进制造", "signed_on": date(2020, 4, 28), "amount": (Decimal("500000000.00"), CNY),
     "funds_arrived": (Decimal("50000000.00"), CNY), "progress": "设备安装中", "stage": "construction",
     "blockers": None, "liaison": "郭振华", "lead_unit": "白沟新城管委会", "planned_start": (2020, 5), "notes": None},
    {"row": 5, "seq": 3, "region": "高碑店市", "name": "高碑店京南智慧物流园项目", "investor": "北京京南物流集团有限公司",
     "industry": "现代物流", "signed_on": date(2019, 12, 20), "amount": (Decimal("800000000.00"), CNY),
     "funds_arrived": (Decimal("0.00"), CNY), "progress": "正在办理前期手续", "stage": "signed",
     "blockers": "用地规划调整需省自然资源厅批复", "liaison": "杨文斌", "lead_unit": "高碑店市自然资源和规划局",
     "planned_start": (2020, 8), "notes": None},
    {"row": 6, "seq": 4, "region": "高碑店市", "name": "高碑店氢能源装备制造项目", "investor": "河北氢途能源科技有限公司",
     "industry": "新能源", "signed_on": date(2020, 1, 10), "amount": (Decimal("1500000000.00"), CNY),
     "funds_arrived": (Decimal("120000000.00"), CNY), "progress": "项目公司已注册", "stage": "registered",
     "blockers": "需协调天然气管网接入", "liaison": "杨文斌", "lead_unit": "高碑店市工业和信息化局",
     "planned_start": (2020, 7), "notes": None},
    {"row": 7, "seq": 5, "region": "白沟新城", "name": "白沟新城文旅小镇项目", "investor": "河北大清河文化旅游开发有限公司",
     "industry": "文旅", "signed_on": date(2019, 10, 15), "amount": (Decimal("1200000000.00"), CNY),
     "funds_arrived": (Decimal("0.00"), CNY), "progress": "项目搁置", "stage": "stalled",
     "blockers": "规划调整，项目选址待定", "liaison": "郭振华", "lead_unit": "白沟新城管委会",
     "planned_start": None, "notes": None},  # 待定
    {"row": 8, "seq": 6, "region": "高碑店市", "name": "高碑店生物制药原料药项目", "investor": "北京华恒生物医药科技有限公司",
     "industry": "生物医药", "signed_on": None, "amount": (Decimal("600000000.00"), CNY),
     "funds_arrived": None, "progress": "洽谈中", "stage": "negotiating",
     "blockers": None, "liaison": "马丽娟", "lead_unit": "高碑店市商务局", "planned_start": None, "notes": "意向项目"},
    {"row": 9, "seq": 7, "region": "高碑店市", "name": "高碑店大数据中心项目", "investor": "保定云谷数据科技有限公司",
     "industry": "大数据", "signed_on": date(2019, 6, 18), "amount": (Decimal("300000000.00"), CNY),
     "funds_arrived": (Decimal("300000000.00"), CNY), "progress": "已建成投产", "stage": "operating",
     "blockers": None, "liaison": "马丽娟", "lead_unit": "高碑店市工业和信息化局", "planned_start": (2019, 8),
     "notes": None},
    {"row": 10, "seq": 8, "region": "高碑店市", "name": "高碑店装配式建筑部品项目", "investor": "河北筑成建材科技有限公司",
     "industry": "新材料", "signed_on": date(2019, 8, 8), "amount": (Decimal("200000000.00"), CNY),
     "funds_arrived": (Decimal("10000000.00"), CNY), "progress": "企业取消投资计划", "stage": "terminated",
     "blockers": None, "liaison": "杨文斌", "lead_unit": "高碑店市商务局", "planned_start": None,
     "notes": "已退还保证金"},
]

# ------------------------------------------------------------------------ gb18030.csv

_GB18030_ROWS = [
    {"row": 2, "code": "DZ2020-01", "region": "定州市", "name": "定州新能源汽车配套产业园项目",
     "investor": "定州华驰新能源科技有限公司", "industry": "新能源", "signed_on": date(2020, 5, 18),
     "amount": (Decimal("180000000.00"), CNY), "funds_arrived": (Decimal("105000000.00"), CNY),
     "progress": "厂房主体施工", "stage": "construction", "blockers": None,
     "liaison": "刘䶮", "lead_unit": "定州市发展和改革局", "planned_start": (2020, 6), "notes": "廊坊洽谈会签约"},
    {"row": 3, "code": "DZ2020-02", "region": "定州市（省直管）", "name": "定州体育用品产业园项目",
     "investor": "河北奥体运动器材有限公司", "industry": "先进制造", "signed_on": date(2020, 4, 28),
     "amount": (Decimal("1200000000.00"), CNY), "funds_arrived": (Decimal("200000000.00"), CNY),
     "progress": "完成工商注册", "stage": "registered", "blockers": "需协调电力增容",
     "liaison": "赵𬀩", "lead_unit": "定州市商务局", "planned_start": (2020, 7), "notes": None},
    {"row": 4, "code": "DZ2020-03", "region": "定州市", "name": "定州中山国文化旅游区项目",
     "investor": "河北中山文化旅游发展有限公司", "industry": "文旅", "signed_on": None,
     "amount": (Decimal("3000000000.00"), CNY), "funds_arrived": (Decimal("0.00"), CNY),
     "progress": "在谈", "stage": "negotiating", "blockers": None,
     "liaison": "赵𬀩", "lead_unit": "定州市文化广电和旅游局", "planned_start": None, "notes": "意向投资额"},
    {"row": 5, "code": "DZ2020-04", "region": "定州市", "name": "定州生物医药原料基地项目",
     "investor": "北京康宁生物医药研究院有限公司", "industry": "生物医药", "signed_on": date(2020, 1, 10),
     "amount": (Decimal("550000000.00"), CNY), "funds_arrived": (Decimal("50000000.00"), CNY),
     "progress": "项目已立项，正在办理环评", "stage": "signed", "blockers": "环评批复时间较长",
     "liaison": "刘䶮", "lead_unit": "定州市行政审批局", "planned_start": (2020, 9), "notes": None},
    {"row": 6, "code": "DZ2019-11", "region": "定州市", "name": "定州大数据灾备中心项目",
     "investor": "北京数智云科技有限公司", "industry": "大数据", "signed_on": date(2019, 9, 25),
     "amount": (Decimal("800000000.00"), CNY), "funds_arrived": (Decimal("800000000.00"), CNY),
     "progress": "已投入运营", "stage": "operating", "blockers": None,
     "liaison": "刘䶮", "lead_unit": "定州市工业和信息化局", "planned_start": (2019, 11), "notes": None},
    {"row": 7, "code": "DZ2019-08", "region": "定州市", "name": "定州光伏农业项目",
     "investor": "河北冀能新能源开发有限公司", "industry": "新能源", "signed_on": date(2019, 7, 22),
     "amount": (Decimal("600000000.00"), CNY), "funds_arrived": (Decimal("30000000.00"), CNY),
     "progress": "因用地问题停滞", "stage": "stalled", "blockers": "设施农用地备案未通过",
     "liaison": "赵𬀩", "lead_unit": "定州市自然资源和规划局", "planned_start": None, "notes": None},
    {"row": 8, "code": "DZ2019-05", "region": "定州市", "name": "定州钢结构装配式建筑项目",
     "investor": "河北筑成建材科技有限公司", "industry": "新材料", "signed_on": date(2019, 5, 8),
     "amount": (Decimal("400000000.00"), CNY), "funds_arrived": (Decimal("0.00"), CNY),
     "progress": "企业已退出", "stage": "terminated", "blockers": None,
     "liaison": "刘䶮", "lead_unit": "定州市商务局", "planned_start": None, "notes": "协议已解除"},
]

# ------------------------------------------------------------------------------ SHEETS

SHEETS = {
    "county_weekly.xlsx": _WEEKLY,
    "legacy.xls": {**_WEEKLY, "notes": "county_weekly.xlsx saved by LibreOffice Calc as Excel 97-2003 (BIFF8)"},
    "legacy.ods": {**_WEEKLY, "notes": "county_weekly.xlsx saved by LibreOffice Calc as OpenDocument"},
    "encrypted.xlsx": {**_WEEKLY, "password": "123456",
                       "notes": "county_weekly.xlsx saved by LibreOffice with a password to open (OOXML "
                                "Standard encryption, an OLE compound file, not a zip): without the password "
                                "the importer must refuse it with a clear message, not crash"},
    "chinese_numerals.xlsx": {
        "sheet": "Sheet1", "unit": None, "header_rows": (2,),
        "header": [("序号", "seq"), ("县（市、区）", "region"), ("项目名称", "name"), ("投资方", "investor"),
                   ("产业类别", "industry"), ("签约活动", "event"), ("签约时间", "signed_on"), ("协议投资额", "amount"),
                   ("备注", "notes")],
        "rows": _NUMERALS_ROWS,
        "notes": "amounts and dates written out in words; the header has no unit, every cell names its own",
    },
    "usd_total.xlsx": {
        "sheet": "Sheet1", "unit": "亿元", "header_rows": (3,),
        "header": [("序号", "seq"), ("项目名称", "name"), ("签约企业", "investor"), ("产业类别", "industry"),
                   ("签约活动", "event"), ("签约时间", "signed_on"), ("币种", "currency"), ("总投资（亿元）", "amount"),
                   ("项目进展", "progress"), ("备注", "notes")],
        "rows": _USD_ROWS,
        "sections": {4: "一、中国·廊坊国际经济贸易洽谈会签约项目（3个）", 9: "二、其他招商活动签约项目（4个）"},
        # 小计/合计 state CNY after converting the USD deal at the rate the note gives.
        "subtotals": [{"row": 8, "amount": (Decimal("11778000000.00"), CNY)},    # 117.78 亿元
                      {"row": 14, "amount": (Decimal("3850000000.00"), CNY)}],   # 38.5 亿元
        "total": {"row": 15, "amount": (Decimal("15628000000.00"), CNY)},         # 156.28 亿元
        "total_yi_rounded": Decimal("156.28"),
        "fx_rates": {("USD", date(2020, 5, 18)): Decimal("7.10")},  # 美元项目按签约当日汇率折算人民币
        "note_row": 16,
        "notes": "a 合计 that counts a USD deal converted at the signing day's rate (1.8 亿美元 × 7.10 = 12.78 亿元); "
                 "adding 1.8 to 25 and 80 without converting gives 106.8 (or 145.3 for the whole sheet): wrong",
    },
    "departments_1_to_14.xlsx": {
        "sheet": "分工表", "unit": "亿元", "header_rows": (2,),
        "header": [("序号", "seq"), ("县（市、区）", "region"), ("项目名称", "name"), ("投资主体", "investor"),
                   ("产业类别", "industry"), ("签约时间", "signed_on"), ("总投资（亿元）", "amount"), ("当前阶段", "progress"),
                   ("牵头责任单位", "lead_unit"), ("配合单位", "supporting"), ("包联领导", "liaison")],
        "rows": _DEPT_ROWS,
        # Fourteen departments, each exactly once as a lead unit: 责任单位1 must never be taken for
        # 责任单位10..14 (a "name containing the text" match would), nor the other way round.
        "departments": [f"责任单位{i}" for i in range(1, 15)],
        "notes": "lead units 责任单位1 … 责任单位14 that are prefixes of each other",
    },
    "stale.xlsx": {
        "sheet": "3月", "unit": "万元", "header_rows": (4,),
        "as_of": date(2020, 3, 31),  # 数据截至2020年3月31日, the second title line
        "header": [("序号", "seq"), ("所在地", "region"), ("项目名称", "name"), ("签约企业", "investor"), ("产业", "industry"),
                   ("签约日期", "signed_on"), ("投资额（万元）", "amount"), ("目前进展", "progress"),
                   ("存在问题", "blockers"), ("包联领导", "liaison"), ("责任单位", "lead_unit")],
        "rows": _STALE_ROWS,
        "notes": "a sheet dated by its title (数据截至…), imported later: stage changes take that date",
    },
    "huge_dimension.xlsx": {
        "sheet": "Sheet1", "unit": "亿元", "header_rows": (1,),
        "header": [("序号", "seq"), ("县（市、区）", "region"), ("项目名称", "name"), ("投资方", "investor"),
                   ("产业类别", "industry"), ("签约时间", "signed_on"), ("总投资（亿元）", "amount"), ("当前阶段", "progress")],
        "rows": _HUGE_ROWS,
        "declared_dimension": "A1:XFD1048576",
        "real_extent": "A1:H6",
        "notes": "the sheet claims 16384 columns × 1048576 rows; a reader must be bounded by the cells present",
    },
    "funds_cumulative_v1.xlsx": {
        "sheet": "4月", "unit": "万元", "header_rows": (4,), "as_of": date(2020, 4, 30),
        "header": _FUNDS_HEADER, "rows": _FUNDS_V1_ROWS,
        "total": {"row": 11, "amount": (Decimal("11885000000.00"), CNY),
                  "funds_this_month": (Decimal("105000000.00"), CNY),
                  "funds_arrived": (Decimal("773005000.00"), CNY)},
        "notes": "monthly funds report, cumulative to 2020-04-30",
    },
    "funds_cumulative_v2.xlsx": {
        "sheet": "5月", "unit": "万元", "header_rows": (4,), "as_of": date(2020, 5, 31),
        "header": _FUNDS_HEADER, "rows": _FUNDS_V2_ROWS,
        "total": {"row": 11, "amount": (Decimal("11885000000.00"), CNY),
                  "funds_this_month": (Decimal("347000000.00"), CNY),
                  "funds_arrived": (Decimal("1120005000.00"), CNY)},
        "v2_minus_v1": FUNDS_V2_MINUS_V1,
        "notes": "the same report a month later: 累计到位资金 grew; the ledger must not add v1 and v2",
    },
    "gbk.csv": {
        "sheet": None, "encoding": "gbk", "unit": "万元", "header_rows": (2,),
        "header": [("序号", "seq"), ("县（市、区）", "region"), ("项目名称", "name"), ("投资主体", "investor"),
                   ("所属行业", "industry"), ("签约日期", "signed_on"), ("计划总投资（万元）", "amount"),
                   ("累计到位资金（万元）", "funds_arrived"), ("进展情况", "progress"), ("存在的困难和问题", "blockers"),
                   ("包联县级领导", "liaison"), ("牵头责任单位", "lead_unit"), ("计划开工时间", "planned_start"),
                   ("备注", "notes")],
        "rows": _GBK_ROWS,
        "total": {"row": 11, "amount": (Decimal("7100000000.00"), CNY),
                  "funds_arrived": (Decimal("860000000.00"), CNY)},
        "notes": "Excel 'CSV (逗号分隔)' on Chinese Windows: code page 936, CRLF, the title as a comma-padded "
                 "row, thousands separators in quoted numbers, 2020/5/18 dates, 无 in the problems column",
    },
    "gb18030.csv": {
        "sheet": None, "encoding": "gb18030", "unit": "亿元", "header_rows": (1,),
        "header": [("编号", "code"), ("所在县市区", "region"), ("项目名称", "name"), ("签约主体", "investor"),
                   ("产业类型", "industry"), ("签约时间", "signed_on"), ("协议投资额(亿元)", "amount"),
                   ("到位资金(亿元)", "funds_arrived"), ("项目进展", "progress"), ("需协调事项", "blockers"),
                   ("联系领导", "liaison"), ("责任部门", "lead_unit"), ("开工时间", "planned_start"), ("备注", "notes")],
        "rows": _GB18030_ROWS,
        "trailing_blank_rows": 2,
        "notes": "GB18030 with names GBK cannot encode (刘䶮: U+4DAE; 赵𬀩: U+2C029, four bytes in GB18030); "
                 "decoding as GBK fails, so the importer must try GB18030, not stop at GBK",
    },
}
