"""Synthetic ledgers of any size, for benchmarks and scale tests.

`generate(Spec(deals=1_000_000))` fills an empty, migrated database with a
ledger that looks like a province's: Chinese deal names built from realistic
parts (place + product + facility + 项目, 年产…万吨…, brand(place)…), investors,
Baoding's counties and the other Hebei cities, signing events, a realistic
spread of stages, CNY with some USD/EUR/HKD at monthly rates that cover every
date, 2015 to the as-of date, about 5 ledger entries and 0.5 blockers per
deal, supporting departments and funds arrived. A few "heavy" deals carry 200
ledger entries and 50 blockers (the deal-detail benchmark opens one).

The same Spec (seed, size, as-of date …) always gives the same database,
row for row.

Rows are bulk-inserted (executemany on SQLite, COPY on PostgreSQL) with
explicit ids, not through crm.create_deal, but they keep every invariant
the app relies on — tests/test_synthetic.py checks each one:

- deal codes are unique and follow crm.deals.records.next_code (ZS<year>-0001 …,
  numbered in order of entry within the year the deal was entered);
- Deal.stage / stage_since are those of the deal's newest StageChange; the
  ledger is in date order, starts from nothing, never repeats a stage and
  carries a note wherever crm.deals.stages.needs_note asks for one;
- amount_cny / fx_rate are what crm.reference.fx.convert gives at the conversion day
  (signing date, else the day the deal was entered); the same for funds;
- search_text / pinyin_initials are crm.listing.search.index_terms(code, name, investor);
- blockers are raised no earlier than their deal entered the ledger, due and
  resolved no earlier than raised, resolved no later than the as-of date.

There is no audit trail (AuditEntry) for synthetic rows: nobody edited them.
"""

from __future__ import annotations

import bisect
import datetime
import io
import math
import random
import sys
import time
from dataclasses import dataclass, field

from peewee import SqliteDatabase
from pypinyin.seg.simpleseg import simple_seg

from crm.listing import search
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.deals.stages import needs_note
from db.models import Blocker, Deal, DealDepartment, Department, Event, FundsArrived, FxRate, Person, StageChange

D = datetime.date
#: Bump when the rows generated for a Spec change (benchmarks rebuild their cached ledgers then).
GENERATOR_VERSION = 1
DEFAULT_AS_OF = D(2026, 11, 1)
FIRST_DAY = D(2015, 1, 1)
ACTOR_SOURCE = "合成数据"
RATE_SOURCE = "合成数据:按人民银行中间价月度近似"

# ---------------------------------------------------------------- the world

# Baoding's counties, districts and zones: (region, short place name, weight, government department)
BAODING = [
    ("竞秀区", "竞秀", 4, "竞秀区人民政府"), ("莲池区", "莲池", 4, "莲池区人民政府"),
    ("满城区", "满城", 3, "满城区人民政府"), ("清苑区", "清苑", 3, "清苑区人民政府"),
    ("徐水区", "徐水", 4, "徐水区人民政府"), ("涞水县", "涞水", 2, "涞水县人民政府"),
    ("阜平县", "阜平", 1, "阜平县人民政府"), ("定兴县", "定兴", 3, "定兴县人民政府"),
    ("唐县", "唐县", 1, "唐县人民政府"), ("高阳县", "高阳", 2, "高阳县人民政府"),
    ("容城县", "容城", 1, "容城县人民政府"), ("涞源县", "涞源", 1, "涞源县人民政府"),
    ("望都县", "望都", 1, "望都县人民政府"), ("安新县", "安新", 1, "安新县人民政府"),
    ("易县", "易县", 2, "易县人民政府"), ("曲阳县", "曲阳", 2, "曲阳县人民政府"),
    ("蠡县", "蠡县", 2, "蠡县人民政府"), ("顺平县", "顺平", 1, "顺平县人民政府"),
    ("博野县", "博野", 1, "博野县人民政府"), ("雄县", "雄县", 1, "雄县人民政府"),
    ("涿州市", "涿州", 6, "涿州市人民政府"), ("安国市", "安国", 3, "安国市人民政府"),
    ("高碑店市", "高碑店", 5, "高碑店市人民政府"), ("定州市", "定州", 4, "定州市人民政府"),
    ("保定高新区", "保定高新区", 6, "保定高新技术产业开发区管委会"),
    ("白沟新城", "白沟", 3, "白沟新城管理委员会"),
]
# The other cities of Hebei (a province-wide ledger): (region, short name, weight)
HEBEI = [
    ("石家庄市", "石家庄", 5), ("唐山市", "唐山", 4), ("秦皇岛市", "秦皇岛", 2), ("邯郸市", "邯郸", 3),
    ("邢台市", "邢台", 2), ("张家口市", "张家口", 2), ("承德市", "承德", 2), ("沧州市", "沧州", 3),
    ("廊坊市", "廊坊", 3), ("衡水市", "衡水", 2), ("雄安新区", "雄安", 2),
]

# key -> (name, kind, contact); keys are used by blockers and lead units
CITY_DEPARTMENTS = {
    "fgw": ("保定市发展和改革委员会", "department"), "zrzy": ("保定市自然资源和规划局", "department"),
    "sthj": ("保定市生态环境局", "department"), "xzsp": ("保定市行政审批局", "department"),
    "sw": ("保定市商务局", "department"), "gxj": ("保定市工业和信息化局", "department"),
    "zjj": ("保定市住房和城乡建设局", "department"), "cz": ("保定市财政局", "department"),
    "rs": ("保定市人力资源和社会保障局", "department"), "jt": ("保定市交通运输局", "department"),
    "sl": ("保定市水利局", "department"), "yj": ("保定市应急管理局", "department"),
    "sc": ("保定市市场监督管理局", "department"), "kj": ("保定市科学技术局", "department"),
    "wl": ("保定市文化广电和旅游局", "department"), "nync": ("保定市农业农村局", "department"),
    "sj": ("保定市数据和政务服务局", "department"), "jr": ("保定市地方金融监督管理局", "department"),
    "gd": ("国网保定供电公司", "utility"), "gs": ("保定市供水总公司", "utility"),
    "rq": ("保定市燃气有限公司", "utility"), "tx": ("中国电信保定分公司", "utility"),
}

# (industry, weight, [(sub-industry, kind, [products])]); kind m = manufacturing, s = site/service, c = complete name
INDUSTRIES = [
    ("先进制造", 18, [
        ("汽车零部件", "m", ["汽车零部件", "新能源汽车零部件", "汽车轻量化部件", "汽车电子", "智能网联汽车部件", "汽车座椅"]),
        ("轨道交通", "m", ["轨道交通装备", "轨道交通车辆配件", "城轨车辆检修", "轨道交通关键零部件"]),
        ("智能装备", "m", ["智能装备", "工业机器人", "数控机床", "精密仪器", "智能传感器", "高端轴承"]),
        ("箱包", "m", ["箱包", "箱包皮具", "箱包辅料"]),
        ("毛绒玩具", "m", ["毛绒玩具", "益智玩具"]),
        ("再制造", "m", ["高端装备再制造", "发动机再制造"]),
        ("航空航天", "m", ["通用航空", "航空零部件", "无人机"]),
    ]),
    ("新能源及智能电网", 14, [
        ("光伏", "m", ["光伏组件", "光伏玻璃", "高效电池片"]),
        ("光伏电站", "s", ["分布式光伏电站", "农光互补光伏电站", "集中式光伏电站"]),
        ("风电", "m", ["风电装备", "风电叶片"]),
        ("储能", "m", ["储能电池", "储能系统集成", "新型储能"]),
        ("氢能", "m", ["氢能装备", "氢燃料电池", "制氢加氢一体化"]),
        ("输变电装备", "m", ["智能电网装备", "输变电设备", "变压器", "智能电表"]),
        ("锂电", "m", ["锂电池", "锂电池隔膜", "锂电池正极材料"]),
    ]),
    ("生物医药健康", 12, [
        ("现代中药", "m", ["中药饮片", "中药材精深加工", "现代中药", "中药配方颗粒"]),
        ("医疗器械", "m", ["医疗器械", "高端医疗器械", "医用耗材", "康复辅具"]),
        ("原料药", "m", ["原料药", "生物发酵原料药", "医药中间体"]),
        ("生物制药", "m", ["生物制药", "疫苗", "生物医药", "细胞治疗"]),
        ("康养", "s", ["康养小镇", "健康养老中心", "医养结合中心"]),
    ]),
    ("新一代信息技术", 14, [
        ("大数据", "s", ["大数据中心", "云计算数据中心", "算力中心", "大数据产业园"]),
        ("5G", "m", ["5G智能终端", "5G通信设备", "光通信器件"]),
        ("集成电路", "m", ["半导体封装测试", "集成电路", "功率半导体", "第三代半导体"]),
        ("工业互联网", "s", ["工业互联网平台", "工业互联网创新中心"]),
        ("软件和信息服务", "s", ["软件产业园", "信息技术服务中心", "数字孪生创新中心"]),
        ("数字经济", "s", ["数字经济产业园", "电子商务产业园", "直播电商基地"]),
    ]),
    ("新材料", 10, [
        ("碳纤维", "m", ["碳纤维复合材料", "碳纤维制品"]),
        ("石墨烯", "m", ["石墨烯新材料", "石墨烯导热膜"]),
        ("绿色建材", "m", ["新型建材", "绿色建材", "装配式建筑部品", "预拌混凝土"]),
        ("新型金属材料", "m", ["新型合金材料", "高性能钢材", "铝合金型材"]),
        ("化工新材料", "m", ["化工新材料", "高分子材料", "电子化学品"]),
    ]),
    ("节能环保", 9, [
        ("环保装备", "m", ["环保装备", "污水处理设备", "大气治理装备"]),
        ("资源循环", "m", ["动力电池回收利用", "再生资源回收利用", "固废综合利用", "建筑垃圾资源化利用"]),
        ("被动式建筑", "m", ["被动式超低能耗建筑", "被动式门窗"]),
        ("节能服务", "s", ["余热综合利用", "园区综合能源服务", "生物质热电联产"]),
    ]),
    ("现代服务业", 10, [
        ("物流", "s", ["冷链物流园", "智慧物流园", "物流枢纽", "保税物流中心"]),
        ("商贸", "s", ["商贸综合体", "城市综合体", "国际商贸城"]),
        ("金融", "s", ["供应链金融创新示范基地", "金融服务中心", "基金小镇"]),
        ("总部经济", "s", ["总部基地", "区域总部", "研发总部"]),
    ]),
    ("文旅", 7, [
        ("文旅", "s", ["文化旅游综合体", "文旅小镇", "特色小镇", "全域旅游", "影视基地", "研学基地", "城市客厅"]),
    ]),
    ("现代农业", 6, [
        ("智慧农业", "s", ["智慧农业示范园", "设施农业产业园", "现代农业产业园"]),
        ("食品加工", "m", ["食品加工", "农产品精深加工", "肉制品加工", "预制菜"]),
        ("种业", "s", ["现代种业产业园", "种业创新中心"]),
    ]),
]
FACILITIES_M = ["生产", "智能制造", "生产基地", "产业园", "研发生产", "生产线", "制造基地", "研发中心", "产业化"]
FACILITIES_M_WEIGHTS = [12, 10, 9, 9, 6, 6, 4, 3, 3]
ANNUAL_UNITS = ["万吨", "万套", "万台", "万件", "万平方米", "亿片"]
ANNUAL_SIZES = [1, 2, 3, 5, 8, 10, 12, 15, 20, 30, 50, 100]
PHASES = ["(一期)", "(二期)", "(三期)", "扩建", "技术改造"]

BRAND_FIRST = "华中国新天海远金恒泰鼎盛瑞鑫博创达通宏信安康德利隆昌汇嘉晟辰卓源凯力众联合科智云"
BRAND_SECOND = "创达通宏信安康泰盛源科联润丰成诚鸿业正和兴邦华海力捷维晶星光"
ORIGINS_CN = ["北京", "上海", "深圳", "天津", "杭州", "苏州", "广州", "南京", "石家庄", "保定", "雄安", "济南",
              "青岛", "武汉", "成都", "郑州", "宁波", "无锡", "合肥", "西安"]
ORIGINS_FX = {"USD": ["美国", "香港", "新加坡"], "EUR": ["德国", "法国", "意大利", "荷兰"], "HKD": ["香港"]}
INVESTOR_WORDS = {
    "先进制造": ["机械", "装备", "汽车部件", "精密制造", "智能科技"],
    "新能源及智能电网": ["新能源", "电力", "光伏", "能源科技", "储能"],
    "生物医药健康": ["医药", "生物科技", "药业", "医疗器械", "健康产业"],
    "新一代信息技术": ["信息技术", "数据科技", "电子", "通信", "云计算"],
    "新材料": ["新材料", "材料科技", "化工", "建材"],
    "节能环保": ["环保科技", "环境工程", "再生资源", "节能科技"],
    "现代服务业": ["物流", "供应链管理", "商业管理", "投资"],
    "文旅": ["文化旅游", "文旅发展", "旅游开发", "文化传媒"],
    "现代农业": ["农业科技", "食品", "农业发展", "种业"],
}
COMPANY_TYPES = ["有限公司", "股份有限公司", "集团有限公司", "控股集团有限公司", "科技有限公司"]
COMPANY_TYPE_WEIGHTS = [40, 20, 20, 8, 12]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国振华晓明立新志强伟军红梅丽娜海涛永刚春雷秀英桂兰玉珍文博宏伟俊杰子涵雨萱浩然明轩思远嘉怡晨曦国庆卫东建军德胜秋菊"
LEADER_TITLES = ["市委常委、副市长", "副市长", "市政府秘书长", "县委书记", "县长", "常务副县长", "区委书记", "区长",
                 "开发区党工委书记", "市商务局局长", "市发改委主任"]
STAFF = ["招商局 王丽", "招商局 张强", "招商局 刘洋", "招商局 陈静", "招商局 杨帆", "招商局 赵磊", "招商局 黄敏",
         "招商局 周婷", "招商局 吴昊", "招商局 徐然", "商务局 孙凯", "商务局 胡月", "发改委 朱军", "发改委 高燕"]

# (name pattern with {year}, month(s), place, organiser, weight per deal, first year, last year)
EVENT_SERIES = [
    ("{year}中国·廊坊国际经济贸易洽谈会", (5,), "廊坊", "河北省人民政府", 30, 2015, 2026),
    ("{year}中国国际数字经济博览会", (10,), "石家庄", "河北省人民政府", 15, 2019, 2026),
    ("{year}京津冀产业协同发展(保定)对接会", (9,), "北京", "保定市人民政府", 20, 2015, 2026),
    ("{year}保定市重点项目集中签约仪式", (3, 6, 9, 12), "保定", "保定市人民政府", 10, 2015, 2026),
    ("第{n}届中国国际进口博览会", (11,), "上海", "商务部", 8, 2018, 2026),
    ("{year}中国国际服务贸易交易会", (9,), "北京", "商务部", 6, 2020, 2026),
    ("{year}深圳·保定产业对接会", (6,), "深圳", "保定市人民政府", 8, 2016, 2026),
    ("{year}长三角·保定招商推介会", (4,), "上海", "保定市人民政府", 8, 2017, 2026),
    ("{year}中国·保定轨道交通产业招商推介会", (4,), "online", "保定市人民政府", 5, 2020, 2026),
    ("{year}保定市生物医药产业招商推介会", (11,), "保定", "保定市商务局", 5, 2016, 2026),
    ("{year}河北省重点项目网上集中签约活动", (2, 5, 8, 11), "online", "河北省商务厅", 10, 2020, 2022),
    ("{year}粤港澳大湾区·河北(保定)投资合作洽谈会", (12,), "香港", "河北省人民政府", 6, 2017, 2026),
]
COUNTY_EVENT = ("{year}{region}{season}重点项目集中签约仪式", {"春季": 4, "秋季": 10}, 2)

STAGE_NOTES = {
    "negotiating": ["初次洽谈", "投资方来保考察", "项目推介后对接", ""],
    "signed": ["", "正式签约", "签订投资协议", "签订框架协议"],
    "registered": ["", "完成工商注册", "项目公司注册落地", "取得营业执照"],
    "construction": ["", "取得施工许可,正式开工", "土地摘牌后开工", "一期开工建设"],
    "operating": ["", "一期竣工投产", "建成投产", "试生产转正式投产"],
}
STALL_NOTES = ["投资方资金链紧张,暂缓建设", "用地手续未完成,暂停推进", "环评未通过,停工整改", "市场变化,投资方放缓进度",
               "规划调整,项目暂停", "冬季施工管控,阶段性停工", "投资方内部重组,暂缓投资"]
RESUME_NOTES = ["问题协调解决,恢复建设", "资金到位,恢复推进", "手续办结,复工", ""]
TERMINATE_NOTES = ["投资方战略调整,双方协商终止", "项目未通过能评,终止", "投资方退出,协议解除", "长期未履约,依约终止"]

# (blocker texts, department key, resolutions); department None = the deal's local government
BLOCKER_KINDS = [
    (["项目用地指标不足,需调整土地利用总体规划", "土地组卷报批进度慢", "建设用地规划许可未办结"], "zrzy",
     ["已纳入规划调整方案,指标落实", "组卷材料已上报省厅并获批", "规划许可已核发"], 14),
    (["环评批复尚未取得", "排污许可证办理滞后", "能评与环评审查意见不一致"], "sthj",
     ["环评已批复", "排污许可证已核发", "两评意见已协调一致"], 12),
    (["双回路供电接入方案未确定", "临时施工用电未接入", "110千伏变电站配套滞后"], "gd",
     ["供电方案已批复", "施工用电已接通", "变电站已列入年度计划"], 10),
    (["施工许可证并联审批材料不全", "项目备案信息需变更", "消防设计审查未通过"], "xzsp",
     ["材料已补齐,施工许可已核发", "备案变更已办理", "消防设计审查已通过"], 12),
    (["配套道路建设进度滞后", "园区供热管网未接入", "雨污管网配套不到位"], "zjj",
     ["道路已通车", "供热管网已接入", "管网已铺设完成"], 9),
    (["征地拆迁未完成", "地上附着物补偿协议未签订", "村民土地流转意见不一"], None,
     ["拆迁已完成", "补偿协议全部签订", "流转协议已签订"], 10),
    (["能耗指标不足", "项目未纳入省重点项目清单", "固定资产投资入库滞后"], "fgw",
     ["能耗指标已调剂解决", "已纳入省重点项目清单", "已完成入库"], 8),
    (["产业引导基金配资未到位", "设备补贴资金拨付滞后"], "cz",
     ["配资已到位", "补贴资金已拨付"], 5),
    (["招工难,技术工人缺口较大", "人才公寓配套不足"], "rs",
     ["已组织专场招聘会", "人才公寓已分配"], 4),
    (["生产用水指标未落实", "取水许可未办理"], "sl", ["用水指标已落实", "取水许可已核发"], 4),
    (["天然气管线接入方案未定"], "rq", ["燃气接入方案已确定"], 3),
    (["外资备案及外汇登记未完成"], "sw", ["外资备案及外汇登记已完成"], 3),
]

FUND_NOTES = ["第一笔到位资金", "第二笔到位资金", "第三笔到位资金", "注册资本金到位", "设备投资到位"]
PLAN_TEMPLATES = [
    "{lead}牵头,{support}配合;按月调度,问题清单化管理。",
    "实行“五个一”包联:{lead}负责,{support}协同推进,每周报送进展。",
    "{lead}为责任单位,{support}配合办理手续,确保早开工、早落地。",
]

# Approximate monthly CNY central parity anchors, (year, month, CNY per unit); linear in between.
USD_ANCHORS = [
    (2014, 12, 6.12), (2015, 7, 6.12), (2015, 8, 6.40), (2016, 1, 6.53), (2016, 12, 6.95), (2017, 6, 6.78),
    (2017, 12, 6.53), (2018, 3, 6.30), (2018, 10, 6.93), (2019, 4, 6.73), (2019, 9, 7.08), (2020, 5, 7.10),
    (2020, 12, 6.53), (2021, 6, 6.46), (2021, 12, 6.37), (2022, 4, 6.40), (2022, 10, 7.20), (2023, 6, 7.20),
    (2023, 12, 7.10), (2024, 6, 7.12), (2024, 12, 7.19), (2025, 6, 7.17), (2025, 12, 7.08), (2027, 12, 7.00),
]
EUR_ANCHORS = [
    (2014, 12, 7.55), (2015, 4, 6.60), (2016, 1, 7.10), (2016, 12, 7.30), (2017, 12, 7.80), (2018, 6, 7.60),
    (2019, 6, 7.72), (2019, 12, 7.80), (2020, 6, 8.00), (2020, 12, 8.00), (2021, 6, 7.70), (2021, 12, 7.20),
    (2022, 6, 7.05), (2022, 10, 7.05), (2023, 6, 7.80), (2023, 12, 7.85), (2024, 6, 7.70), (2024, 12, 7.50),
    (2025, 6, 8.20), (2025, 12, 8.25), (2027, 12, 8.20),
]
CURRENCIES = [("CNY", 88.0), ("USD", 7.0), ("EUR", 2.5), ("HKD", 2.5)]
# Typical deal size in units of each currency (median of a log-normal)
MEDIAN_AMOUNT = {"CNY": 3e8, "USD": 3e7, "EUR": 2e7, "HKD": 2e8}
MIN_AMOUNT = {"CNY": 5e6, "USD": 1e6, "EUR": 1e6, "HKD": 5e6}
MAX_AMOUNT = {"CNY": 3e10, "USD": 3e9, "EUR": 2e9, "HKD": 2e10}
SIGNING_YEAR_WEIGHTS = {2015: 6, 2016: 7, 2017: 8, 2018: 9, 2019: 10, 2020: 10, 2021: 10, 2022: 9, 2023: 10,
                        2024: 11, 2025: 11, 2026: 10}

# Office hours at which rows were recorded
CLOCK = [f"{9 + (i * 7) % 9:02d}:{(i * 13) % 60:02d}:{(i * 29) % 60:02d}" for i in range(997)]

HEAVY_LEDGER = 200
HEAVY_BLOCKERS = 50


@dataclass
class Spec:
    """What to generate. The same Spec always gives the same rows."""

    deals: int
    seed: int = 1
    ledger_per_deal: float = 5.0  # mean StageChange rows per deal (at least the natural ~3)
    blockers_per_deal: float = 0.5
    heavy_every: int = 100_000  # deal ids that are multiples of this carry 200 entries and 50 blockers
    as_of: datetime.date | None = None  # last date of the ledger; default DEFAULT_AS_OF (or today if earlier)
    batch: int = 5_000  # deals per insert batch

    def end(self) -> datetime.date:
        if self.as_of:
            return self.as_of
        return min(DEFAULT_AS_OF, datetime.date.today())


@dataclass
class Stats:
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def heavy_deal_ids(spec: Spec) -> list[int]:
    """Ids of the deals with 200 ledger entries and 50 blockers."""
    if spec.heavy_every <= 0:
        return []
    return list(range(spec.heavy_every, spec.deals + 1, spec.heavy_every))


# ---------------------------------------------------------------- helpers


class _Picker:
    """Weighted choice by bisecting cumulative weights (faster than random.choices per call)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng):
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


def _pick(rng, seq):
    """rng.choice without its per-call overhead (the generator calls this millions of times)."""
    return seq[int(rng.random() * len(seq))]


def _below(rng, n: int) -> int:
    return int(rng.random() * n)


def _between(rng, lo: int, hi: int) -> int:
    return lo + int(rng.random() * (hi - lo + 1))


def _poisson(rng, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _month_index(day: datetime.date) -> int:
    return (day.year - 2014) * 12 + day.month - 12  # 2014-12 -> 0


def _interpolate(anchors, months: int) -> list[float]:
    points = [((y - 2014) * 12 + m - 12, v) for y, m, v in anchors]
    out = []
    for i in range(months):
        for (m0, v0), (m1, v1) in zip(points, points[1:]):
            if m0 <= i <= m1:
                out.append(v0 + (v1 - v0) * (i - m0) / (m1 - m0))
                break
        else:
            out.append(points[-1][1])
    return out


class _Dates:
    """ISO text of day ordinals, cached."""

    def __init__(self, first: datetime.date, last: datetime.date):
        self.base = first.toordinal()
        self.text = [D.fromordinal(o).isoformat() for o in range(self.base, last.toordinal() + 1)]

    def __call__(self, ordinal: int) -> str:
        return self.text[ordinal - self.base]


# ---------------------------------------------------------------- writers


class _SqliteWriter:
    def __init__(self, db):
        self.cursor = db.connection().cursor()

    def write(self, table, columns, rows):
        if rows:
            marks = ",".join("?" * len(columns))
            names = ",".join(f'"{c}"' for c in columns)
            self.cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    return str(value)


class _PostgresWriter:
    def __init__(self, db):
        self.cursor = db.cursor()

    def write(self, table, columns, rows):
        if not rows:
            return
        buf = io.StringIO()
        for row in rows:
            buf.write("\t".join([_copy_text(v) for v in row]))
            buf.write("\n")
        buf.seek(0)
        names = ",".join(f'"{c}"' for c in columns)
        self.cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', buf)


def _columns(model, names):
    return [model._meta.fields[n].column_name for n in names]


DEAL_FIELDS = ["id", "code", "name", "investor", "region", "industry", "sub_industry", "event", "signed_on", "amount",
               "currency", "amount_approximate", "amount_cny", "fx_rate", "approval", "stage", "stage_since", "liaison",
               "lead_unit", "planned_start", "planned_completion", "responsibility_plan", "floor_area", "notes",
               "search_text", "pinyin_initials", "created_at", "updated_at", "updated_by", "version"]
LEDGER_FIELDS = ["id", "deal", "from_stage", "to_stage", "effective_on", "recorded_at", "recorded_by", "note"]
BLOCKER_FIELDS = ["id", "deal", "text", "department", "raised_on", "due_on", "resolved_on", "resolution", "version",
                  "updated_at", "updated_by"]
FUNDS_FIELDS = ["id", "deal", "arrived_on", "amount", "currency", "amount_cny", "fx_rate", "note", "recorded_at",
                "recorded_by"]
SUPPORT_FIELDS = ["id", "deal", "department"]


# ---------------------------------------------------------------- the generator


class _Generator:
    def __init__(self, spec: Spec):
        self.spec = spec
        self.as_of = spec.end()
        if self.as_of < D(2016, 1, 1):
            raise InvalidInput(_("The as-of date of a synthetic ledger must be in 2016 or later"))
        self.end_ord = self.as_of.toordinal()
        self.first_ord = FIRST_DAY.toordinal()
        self.date = _Dates(D(2014, 1, 1), D(self.as_of.year + 7, 12, 31))
        self._initials = {}
        self._build_world(random.Random(f"world-{spec.seed}"))

    # -- reference tables -------------------------------------------------

    def _build_world(self, rng):
        self.departments = []  # (id, name, kind, contact)
        self.dept_id = {}
        for key, (name, kind) in CITY_DEPARTMENTS.items():
            self._add_department(name, kind, key)
        self.regions = []  # (region, place, weight, lead department id, other-city?)
        for region, place, weight, gov in BAODING:
            kind = "zone" if gov.endswith(("管委会", "管理委员会")) else "county"
            self.regions.append((region, place, weight * 3.0, self._add_department(gov, kind), False))
        for region, place, weight in HEBEI:
            gov = self._add_department(f"{region}人民政府", "county")
            self._add_department(f"{region}商务局", "department")
            self.regions.append((region, place, weight * 2.2, gov, True))
        self.region_pick = _Picker(range(len(self.regions)), [r[2] for r in self.regions])
        self.other_depts = [self.dept_id[k] for k in ("fgw", "zrzy", "sthj", "xzsp", "sw", "gxj", "zjj", "gd", "kj")]

        names, self.persons = set(), []
        while len(self.persons) < 400:
            name = _pick(rng, SURNAMES) + _pick(rng, GIVEN) + (_pick(rng, GIVEN) if rng.random() < 0.6 else "")
            if name in names:
                continue
            names.add(name)
            phone = f"13{_below(rng, 10)}{_below(rng, 10**8):08d}"
            self.persons.append((len(self.persons) + 1, name, _pick(rng, LEADER_TITLES), phone))

        # Events: the series plus each Baoding county's spring and autumn signing ceremonies.
        self.events = []  # (id, name, held_on ordinal, place, organiser, weight, region index or -1)
        for pattern, months, place, organiser, weight, first, last in EVENT_SERIES:
            for year in range(first, min(last, self.as_of.year) + 1):
                for i, month in enumerate(months):
                    day = D(year, month, 8 + (year * 7 + month * 3) % 18)
                    name = pattern.format(year=year, n=year - 2017)
                    if len(months) > 1:
                        name = name.replace("集中签约", f"第{'一二三四'[i]}批集中签约")
                    self._add_event(name, day, place, organiser, weight, -1)
        pattern, seasons, weight = COUNTY_EVENT
        for ri, (region, place, *_rest) in enumerate(self.regions[: len(BAODING)]):
            for year in range(2015, self.as_of.year + 1):
                for season, month in seasons.items():
                    day = D(year, month, 10 + (ri * 5 + year) % 15)
                    name = pattern.format(year=year, region=region, season=season)
                    self._add_event(name, day, region, self.departments[self.regions[ri][3] - 1][1], weight, ri)
        self.event_pick = _Picker(range(len(self.events)), [e[5] for e in self.events])

        # Rates: the first of every month, so every date from 2014-12-01 on is covered.
        months = _month_index(self.as_of) + 1
        usd = _interpolate(USD_ANCHORS, months)
        eur = _interpolate(EUR_ANCHORS, months)
        hkd = [v / 7.8 + 0.0005 * math.sin(i) for i, v in enumerate(usd)]
        self.rates = []  # (id, currency, on ordinal, rate in millionths)
        self.rate_at = {}  # currency -> list by month index of (id, millionths)
        for currency, values, wiggle in (("USD", usd, 0.01), ("EUR", eur, 0.02), ("HKD", hkd, 0.001)):
            table = []
            for i, value in enumerate(values):
                year, month = 2014 + (i + 11) // 12, (i + 11) % 12 + 1
                value += wiggle * math.sin(i * 1.7)
                micro = int(round(value * 10_000)) * 100  # quoted to 4 decimals
                rid = len(self.rates) + 1
                self.rates.append((rid, currency, D(year, month, 1).toordinal(), micro))
                table.append((rid, micro))
            self.rate_at[currency] = table

        self.industry_pick = _Picker(range(len(INDUSTRIES)), [w for _n, w, _s in INDUSTRIES])
        self.currency_pick = _Picker([c for c, _w in CURRENCIES], [w for _c, w in CURRENCIES])
        self.facility_pick = _Picker(FACILITIES_M, FACILITIES_M_WEIGHTS)
        self.company_pick = _Picker(COMPANY_TYPES, COMPANY_TYPE_WEIGHTS)
        self.year_pick = _Picker(list(SIGNING_YEAR_WEIGHTS), list(SIGNING_YEAR_WEIGHTS.values()))
        self.blocker_pick = _Picker(BLOCKER_KINDS, [k[3] for k in BLOCKER_KINDS])
        self.approval_pick = _Picker(["approval", "verification", "filing"], [224, 93, 488])

    def _add_department(self, name, kind, key=None):
        did = len(self.departments) + 1
        contact = f"0312-{5000000 + did * 37:07d}" if kind != "utility" else "95598"
        self.departments.append((did, name, kind, contact))
        self.dept_id[key or name] = did
        return did

    def _add_event(self, name, day, place, organiser, weight, region_index):
        if day > self.as_of:
            return
        self.events.append((len(self.events) + 1, name, day.toordinal(), place, organiser, weight, region_index))

    # -- anchors: when each deal entered the ledger -----------------------

    def _anchors(self, rng, n):
        """Per deal: (entry day, tie-break, signed day or 0, event index or -1); sorted by entry day (= id order)."""
        out = []
        end, first = self.end_ord, self.first_ord
        for i in range(n):
            r = rng.random()
            ev = -1
            if r < 0.07:  # still negotiating today
                signed = 0
                back = int(rng.expovariate(1 / 240))
                if rng.random() < 0.15:
                    back += _below(rng, 365 * 4)
                entry = max(first, end - back)
            else:
                if r < 0.65:
                    ev = self.event_pick(rng)
                    signed = self.events[ev][2]
                else:
                    year = self.year_pick(rng)
                    lo = max(first, D(year, 1, 1).toordinal())
                    hi = min(end, D(year, 12, 31).toordinal())
                    if lo > hi:
                        lo = first
                    signed = _between(rng, lo, hi)
                entry = signed
                if rng.random() < 0.3:  # negotiated before signing
                    entry = max(first, signed - 20 - int(rng.expovariate(1 / 120)))
            out.append((entry, rng.random(), signed, ev))
        out.sort()
        return out

    # -- one deal ------------------------------------------------------------

    def _initials_of(self, name):
        """search.initials(name), computed once per run of Chinese characters.

        pypinyin splits text into runs of Chinese and other characters
        (simple_seg) before it segments words, and initials() only drops and
        lower-cases characters one by one, so the initials of a name are the
        initials of its runs joined: 华创(涿州)… = 华创 + ( + 涿州 + ) + ….
        """
        cache = self._initials
        value = cache.get(name)
        if value is not None:
            return value
        out = []
        for run in simple_seg(name):
            value = cache.get(run)
            if value is None:
                value = cache[run] = search.initials(run)
            out.append(value)
        value = cache[name] = "".join(out)
        return value

    def _name(self, rng, place, products, kind):
        product = _pick(rng, products)
        facility = self.facility_pick(rng) if kind == "m" else ""
        r = rng.random()
        if r < 0.36:
            name = f"{place}{product}{facility}项目"
        elif r < 0.56:
            name = f"{product}{facility}项目"
        elif r < 0.68:
            brand = _pick(rng, BRAND_FIRST) + _pick(rng, BRAND_SECOND)
            name = f"{brand}({place}){product}{facility or ''}项目"
        elif r < 0.78 and kind == "m":
            name = f"年产{_pick(rng, ANNUAL_SIZES)}{_pick(rng, ANNUAL_UNITS)}{product}项目"
        elif r < 0.9:
            name = f"{place}{product}{facility}项目{_pick(rng, PHASES)}" if rng.random() < 0.5 else \
                f"{place}{product}{facility}{_pick(rng, PHASES[3:])}项目"
        else:
            name = f"京津冀{product}{facility}项目"
        return name

    def _investor(self, rng, industry, currency):
        if rng.random() < 0.08:
            return ""
        if currency == "CNY":
            origin = _pick(rng, ORIGINS_CN)
        else:
            origin = _pick(rng, ORIGINS_FX[currency])
        brand = _pick(rng, BRAND_FIRST) + _pick(rng, BRAND_SECOND)
        return f"{origin}{brand}{_pick(rng, INVESTOR_WORDS[industry])}{self.company_pick(rng)}"

    def _amount_fen(self, rng, currency) -> int:
        value = MEDIAN_AMOUNT[currency] * math.exp(rng.gauss(0, 1.1))
        value = min(max(value, MIN_AMOUNT[currency]), MAX_AMOUNT[currency])
        if value >= 1e8:
            step = 1e6 if rng.random() < 0.7 else 1e8  # 6.71亿 or 25亿
        else:
            step = 1e4 if rng.random() < 0.6 else 1e6  # 4565万 or 3000万
        return int(round(value / step)) * int(step) * 100

    def _rate(self, currency, ordinal):
        """(rate id, millionths) covering the day; None for CNY."""
        if currency == "CNY":
            return None
        day = D.fromordinal(ordinal)
        return self.rate_at[currency][_month_index(day)]

    @staticmethod
    def _to_cny(fen, rate):
        if rate is None:
            return fen
        return (fen * rate[1] + 500_000) // 1_000_000  # ROUND_HALF_UP to the fen, amounts are positive

    def _path(self, rng, entry, signed, extra_pairs):
        """[(stage, day ordinal, note)] in order; the first entry is the deal's creation."""
        end = self.end_ord
        steps = []
        if signed == 0:
            steps.append(("negotiating", entry, _pick(rng, STAGE_NOTES["negotiating"])))
            return steps
        if entry < signed:
            steps.append(("negotiating", entry, _pick(rng, STAGE_NOTES["negotiating"])))
        steps.append(("signed", signed, _pick(rng, STAGE_NOTES["signed"])))
        day, stage = signed, "signed"
        for nxt, p, base, scale in (("registered", 0.86, 15, 70), ("construction", 0.78, 30, 160),
                                    ("operating", 0.66, 150, 330)):
            if rng.random() < 0.11:  # stalls instead of moving on
                stall = day + 20 + int(rng.expovariate(1 / 200))
                if stall > end:
                    break
                steps.append(("stalled", stall, _pick(rng, STALL_NOTES)))
                r = rng.random()
                if r < 0.45:
                    back = stall + 40 + int(rng.expovariate(1 / 150))
                    if back > end:
                        break
                    steps.append((stage, back, _pick(rng, RESUME_NOTES)))
                    day = back
                elif r < 0.8:
                    stop = stall + 60 + int(rng.expovariate(1 / 200))
                    if stop <= end:
                        steps.append(("terminated", stop, _pick(rng, TERMINATE_NOTES)))
                    break
                else:
                    break
            if rng.random() < 0.03:
                stop = day + 60 + int(rng.expovariate(1 / 300))
                if stop <= end:
                    steps.append(("terminated", stop, _pick(rng, TERMINATE_NOTES)))
                break
            if rng.random() >= p:
                break
            when = day + base + int(rng.expovariate(1 / scale))
            if when > end:
                break
            steps.append((nxt, when, _pick(rng, STAGE_NOTES[nxt])))
            day, stage = when, nxt
        if extra_pairs:
            steps = self._add_pairs(rng, steps, extra_pairs)
        return steps

    def _add_pairs(self, rng, steps, pairs):
        """Insert stalled → back-to-stage pairs after main-line entries at or beyond 签约."""
        eligible = [i for i, (stage, _d, _n) in enumerate(steps) if stage in ("signed", "registered", "construction",
                                                                               "operating")]
        # a stage entered only to be left for 终止/暂停 at once is still eligible
        if not eligible:
            return steps
        counts = {}
        for _ in range(pairs):
            i = _pick(rng, eligible)
            counts[i] = counts.get(i, 0) + 1
        out = []
        for i, step in enumerate(steps):
            out.append(step)
            k = counts.get(i)
            if not k:
                continue
            lo = step[1]
            hi = steps[i + 1][1] if i + 1 < len(steps) else self.end_ord
            days = sorted(_between(rng, lo, hi) for _ in range(2 * k))
            for j in range(k):
                out.append(("stalled", days[2 * j], _pick(rng, STALL_NOTES)))
                out.append((step[0], days[2 * j + 1], _pick(rng, RESUME_NOTES)))
        return out

    def _calibrate(self):
        """Natural mean ledger length and the share of deals that can take extra pairs."""
        rng = random.Random(12345)
        sample = self._anchors(rng, 4000)
        total = eligible = 0
        for entry, _u, signed, _ev in sample:
            steps = self._path(rng, entry, signed, 0)
            total += len(steps)
            eligible += signed != 0
        return total / len(sample), eligible / len(sample)

    # -- the run -------------------------------------------------------------

    def rows(self):
        """Yield ("table", columns, rows) batches: reference tables first, then deals in batches."""
        spec = self.spec
        rng = random.Random(spec.seed)
        dt = self.date
        yield Department, ["id", "name", "kind", "contact", "version", "updated_at", "updated_by"], [
            (d[0], d[1], d[2], d[3], 1, f"{dt(self.first_ord)} 09:00:00", ACTOR_SOURCE) for d in self.departments]
        yield Person, ["id", "name", "title", "phone"], self.persons
        yield Event, ["id", "name", "held_on", "place", "organiser"], [
            (e[0], e[1], dt(e[2]), e[3], e[4]) for e in self.events]
        yield FxRate, ["id", "currency", "on", "rate", "source"], [
            (r[0], r[1], dt(r[2]), r[3], RATE_SOURCE) for r in self.rates]

        natural, eligible = self._calibrate()
        lam = max(0.0, spec.ledger_per_deal - natural) / 2 / max(eligible, 1e-9)
        heavy = set(heavy_deal_ids(spec))
        anchors = self._anchors(rng, spec.deals)
        seq = {}
        ids = {"ledger": 0, "blocker": 0, "funds": 0, "support": 0}
        batch = {Deal: [], StageChange: [], Blocker: [], FundsArrived: [], DealDepartment: []}
        for index, (entry, _u, signed, ev) in enumerate(anchors):
            deal_id = index + 1
            self._deal(rng, deal_id, entry, signed, ev, lam, deal_id in heavy, seq, ids, batch)
            if deal_id % spec.batch == 0 or deal_id == len(anchors):
                yield Deal, DEAL_FIELDS, batch[Deal]
                yield StageChange, LEDGER_FIELDS, batch[StageChange]
                yield Blocker, BLOCKER_FIELDS, batch[Blocker]
                yield FundsArrived, FUNDS_FIELDS, batch[FundsArrived]
                yield DealDepartment, SUPPORT_FIELDS, batch[DealDepartment]
                batch = {k: [] for k in batch}

    def _deal(self, rng, deal_id, entry, signed, ev, lam, heavy, seq, ids, out):
        dt, end = self.date, self.end_ord
        if ev >= 0 and self.events[ev][6] >= 0:
            ri = self.events[ev][6]
        else:
            ri = self.region_pick(rng)
        region, place, _w, gov, other_city = self.regions[ri]
        if rng.random() < 0.25:
            place = "保定" if not other_city else "河北"
        industry, _iw, subs = INDUSTRIES[self.industry_pick(rng)]
        sub, kind, products = _pick(rng, subs)
        name = self._name(rng, place, products, kind)
        currency = self.currency_pick(rng)
        investor = self._investor(rng, industry, currency)
        fen = self._amount_fen(rng, currency)
        day = signed or entry
        rate = self._rate(currency, day)
        cny = self._to_cny(fen, rate)

        year = D.fromordinal(entry).year
        n = seq[year] = seq.get(year, 0) + 1
        code = f"ZS{year}-{n:04d}"

        if heavy:
            signed = signed or entry
            steps = self._path(rng, entry, signed, 0)
            main = []
            for step in steps:  # the main line only, without repeats left by dropping 暂停/终止
                if step[0] not in ("stalled", "terminated") and (not main or main[-1][0] != step[0]):
                    main.append(step)
            steps = self._add_pairs(rng, main, (HEAVY_LEDGER - len(main)) // 2)
            if len(steps) < HEAVY_LEDGER:  # an odd number left: end stalled
                steps.append(("stalled", end, _pick(rng, STALL_NOTES)))
        else:
            steps = self._path(rng, entry, signed, _poisson(rng, lam) if signed else 0)

        # the ledger
        ledger = out[StageChange]
        prev = None
        for stage, on, note in steps:
            if not note and needs_note(prev, stage):
                note = _pick(rng, STALL_NOTES) if stage == "stalled" else "恢复推进"
            ids["ledger"] += 1
            ledger.append((ids["ledger"], deal_id, prev, stage, dt(on), f"{dt(min(on + _below(rng, 3), end))} {_pick(rng, CLOCK)}",
                           _pick(rng, STAFF), note))
            prev = stage
        stage, since = steps[-1][0], steps[-1][1]
        signed_text = dt(signed) if signed else None

        # departments
        if other_city or rng.random() < 0.45:
            lead = gov
        else:
            lead = _pick(rng, self.other_depts)
        supporting = set()
        for _ in range(_pick(rng, (0, 1, 1, 2, 2, 3))):
            did = _pick(rng, self.other_depts)
            if did != lead:
                supporting.add(did)
        if rng.random() < 0.3 and gov != lead:
            supporting.add(gov)
        support_rows = out[DealDepartment]
        for did in sorted(supporting):
            ids["support"] += 1
            support_rows.append((ids["support"], deal_id, did))
        lead_name = self.departments[lead - 1][1]
        support_text = "、".join(self.departments[d - 1][1] for d in sorted(supporting)) or "属地政府"
        plan = _pick(rng, PLAN_TEMPLATES).format(lead=lead_name, support=support_text)

        planned_start = planned_completion = None
        if signed:
            ps = signed + 60 + _below(rng, 150)
            planned_start = dt(ps)
            planned_completion = dt(ps + 365 + _below(rng, 730))
        floor_area = None
        if kind == "m" and rng.random() < 0.35:
            floor_area = f"{_between(rng, 5, 599) * 1000 + _pick(rng, (0, 0, 500))}.00"
        elif kind == "s" and rng.random() < 0.25:
            floor_area = f"{_between(rng, 10, 899) * 1000}.00"
        approximate = rng.random() < 0.03
        liaison = None if rng.random() < 0.1 else _between(rng, 1, len(self.persons))
        event_id = self.events[ev][0] if ev >= 0 else None
        created = f"{dt(entry)} {_pick(rng, CLOCK)}"
        last = ledger[-1][5]
        version = 2 if steps[0][0] == "negotiating" and signed else 1
        search_text = "\n".join((code, name, investor)).lower()
        out[Deal].append((
            deal_id, code, name, investor, region, industry, sub, event_id, signed_text, fen, currency, approximate,
            cny, rate[0] if rate else None, self.approval_pick(rng), stage, dt(since), liaison, lead, planned_start,
            planned_completion, plan, floor_area, "", search_text, self._initials_of(name), created,
            max(created, last), _pick(rng, STAFF), version,
        ))

        # blockers
        count = HEAVY_BLOCKERS if heavy else _poisson(rng, self.spec.blockers_per_deal)
        blockers = out[Blocker]
        for _ in range(count):
            texts, dept_key, resolutions, _w = self.blocker_pick(rng)
            k = _below(rng, len(texts))
            dept = gov if dept_key is None else self.dept_id[dept_key]
            raised = _between(rng, entry, end) if entry < end else end
            due = raised + _pick(rng, (15, 30, 30, 45, 60, 90))
            resolved = None
            age = end - raised
            if rng.random() < (0.85 if age > 180 else 0.45 if age > 30 else 0.15):
                resolved = min(end, raised + 3 + int(rng.expovariate(1 / 60)))
            stamp = resolved if resolved is not None else raised
            ids["blocker"] += 1
            blockers.append((ids["blocker"], deal_id, texts[k], dept, dt(raised), dt(due),
                             dt(resolved) if resolved is not None else None,
                             resolutions[k] if resolved is not None else "", 2 if resolved is not None else 1,
                             f"{dt(stamp)} {_pick(rng, CLOCK)}", _pick(rng, STAFF)))

        # funds arrived, once registered
        registered = next((s[1] for s in steps if s[0] == "registered"), None)
        if registered is not None and rng.random() < 0.7:
            funds = out[FundsArrived]
            share_left = 1.0
            on = registered
            for i in range(_pick(rng, (1, 1, 2, 2, 3))):
                on = on + 10 + int(rng.expovariate(1 / 120))
                if on > end:
                    break
                share = share_left * rng.uniform(0.15, 0.5)
                share_left -= share
                part = max(100, int(fen * share) // 10_000 * 10_000)  # whole 百元/units of 100
                frate = self._rate(currency, on)
                ids["funds"] += 1
                funds.append((ids["funds"], deal_id, dt(on), part, currency, self._to_cny(part, frate),
                              frate[0] if frate else None, FUND_NOTES[i if i < 3 else 0],
                              f"{dt(on)} {_pick(rng, CLOCK)}", _pick(rng, STAFF)))


# ---------------------------------------------------------------- loading


def _empty(db) -> bool:
    return not any(m.select().exists() for m in (Deal, Department, Person, Event, FxRate))


def _bulk_schema(db):
    """SQL to drop and re-create the secondary indexes and triggers of the bulk-loaded tables."""
    tables = [m._meta.table_name for m in (Deal, StageChange, Blocker, FundsArrived, DealDepartment)]
    drops, creates = [], []
    if isinstance(db, SqliteDatabase):
        marks = ",".join("?" * len(tables))
        for kind, name, sql in db.execute_sql(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name IN ({marks}) "
            "AND sql IS NOT NULL", tables
        ).fetchall():
            drops.append(f'DROP {kind.upper()} "{name}"')
            creates.append(sql)
    else:
        for name, sql in db.execute_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (tables,),
        ).fetchall():
            drops.append(f'DROP INDEX "{name}"')
            creates.append(sql)
    return drops, creates


def generate(spec: Spec, db=None, progress=None) -> Stats:
    """Fill the open, migrated, empty database with the synthetic ledger of `spec`.

    `progress(done, total)` is called after each batch of deals. Returns
    row counts and timings. On SQLite the load runs with synchronous=OFF and
    an in-memory journal: a crash midway leaves a file to throw away.
    """
    from db.models import database

    db = db or database.obj
    if not _empty(db):
        raise InvalidInput(
            _("This database already holds a ledger; generate a synthetic one into an empty database (crm --db big.sqlite3 synthetic N)")
        )
    stats = Stats()
    t0 = time.perf_counter()
    gen = _Generator(spec)
    stats.seconds["setup"] = time.perf_counter() - t0
    sqlite = isinstance(db, SqliteDatabase)
    counts = {}
    if sqlite:
        saved = {p: db.execute_sql(f"PRAGMA {p}").fetchone()[0] for p in ("journal_mode", "synchronous", "foreign_keys",
                                                                         "cache_size")}
        db.execute_sql("PRAGMA foreign_keys = OFF")
        db.execute_sql("PRAGMA synchronous = OFF")
        db.execute_sql("PRAGMA cache_size = -262144")
        db.execute_sql("PRAGMA temp_store = MEMORY")
        try:
            db.execute_sql("PRAGMA journal_mode = MEMORY")
        except Exception:  # noqa: BLE001 — another connection holds the file: stay in WAL
            pass
        writer = _SqliteWriter(db)
    else:
        writer = _PostgresWriter(db)
    try:
        with db.atomic():
            if not sqlite:
                # Skip the per-row foreign-key triggers during COPY (the ids are consistent by
                # construction; tests check them on SQLite). Needs superuser: otherwise just slower.
                try:
                    with db.atomic():
                        db.execute_sql("SET LOCAL session_replication_role = replica")
                except Exception:  # noqa: BLE001 — not allowed: keep the checks
                    pass
            drops, creates = _bulk_schema(db)
            for sql in drops:
                db.execute_sql(sql)
            t1 = time.perf_counter()
            gen_seconds = 0.0
            mark = time.perf_counter()
            for model, names, rows in gen.rows():
                now = time.perf_counter()
                gen_seconds += now - mark
                writer.write(model._meta.table_name, _columns(model, names), rows)
                counts[model.__name__] = counts.get(model.__name__, 0) + len(rows)
                mark = time.perf_counter()
                if model is Deal and progress:
                    progress(counts["Deal"], spec.deals)
            stats.seconds["generate"] = gen_seconds
            stats.seconds["insert"] = time.perf_counter() - t1 - gen_seconds
            t2 = time.perf_counter()
            for sql in creates:
                db.execute_sql(sql)
            stats.seconds["indexes"] = time.perf_counter() - t2
            t2 = time.perf_counter()
            if not sqlite:
                for model in (Department, Person, Event, FxRate, Deal, StageChange, Blocker, FundsArrived,
                              DealDepartment):
                    table = model._meta.table_name
                    db.execute_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
                    )
            _after_load(db)
            stats.seconds["search index and totals"] = time.perf_counter() - t2
    finally:
        if sqlite:
            if saved["journal_mode"].lower() == "wal":
                db.execute_sql("PRAGMA journal_mode = WAL")
            db.execute_sql(f"PRAGMA synchronous = {saved['synchronous']}")
            db.execute_sql(f"PRAGMA foreign_keys = {saved['foreign_keys']}")
            db.execute_sql(f"PRAGMA cache_size = {saved['cache_size']}")
    t3 = time.perf_counter()
    db.execute_sql("ANALYZE")
    stats.seconds["analyze"] = time.perf_counter() - t3
    stats.counts = counts
    return stats


def _after_load(db):
    """Bring what the triggers keep in step (search index, totals) up to date after the bulk load."""
    from crm.reporting import kpi

    search.rebuild_index(db)
    kpi.rebuild_totals(db)


def describe(stats: Stats) -> str:
    parts = ", ".join(f"{name} {n:,}" for name, n in stats.counts.items())
    times = ", ".join(f"{k} {v:.1f}s" for k, v in stats.seconds.items())
    return f"{parts}\n{times} (total {stats.total_seconds():.1f}s)"


def _progress_printer(stream=sys.stderr):
    start = time.perf_counter()

    def show(done, total):
        if stream.isatty():
            rate = done / max(time.perf_counter() - start, 1e-9)
            stream.write(f"\r{done:,}/{total:,} deals ({rate:,.0f}/s)  ")
            stream.flush()
            if done == total:
                stream.write("\n")

    return show
