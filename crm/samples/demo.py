"""The demo ledger: the seed's real deals plus sample deals, with everything a
screen or KPI needs to show something true.

Real (Hebei Daily, Baoding pages, May 2020): Zhuozhou's three deals signed
online at the 中国·廊坊国际经济贸易洽谈会 on 2020-05-18 (1.8亿美元, 25亿元,
80亿元 with 81.9万平方米), and the 中国·保定轨道交通产业线上招商推介会 built on
河北京车轨道交通车辆装备有限公司. The city's ledger holds 33 deals signed at
major trade events since 2019; where the seed names no deal the demo invents a
plausible one and says so in its notes. Exchange rates are approximate PBOC
central parity rates and say so in their source.

Everything goes through crm/ (the same code the CLI and TUI use), so the demo
also carries a real ledger and audit trail.
"""

import datetime
from decimal import Decimal

from crm.deals import blockers, funds, stages
from crm.deals import records as deals
from crm.foundation.i18n import _
from crm.reference import fx, registry
from db.models import Deal, Department

ACTOR = "演示数据"
SAMPLE = "示例数据(报道未列出具体项目,为演示虚构)"
D = datetime.date

# The demo's tables, one record a line as a reader scans them.
# fmt: off
RATES = [  # currency, date, CNY per unit
    ("USD", D(2019, 1, 2), "6.8482"), ("USD", D(2019, 5, 17), "6.8859"), ("USD", D(2019, 9, 2), "7.0840"),
    ("USD", D(2020, 1, 2), "6.9614"), ("USD", D(2020, 4, 28), "7.0710"), ("USD", D(2020, 5, 18), "7.1030"),
    ("USD", D(2020, 9, 1), "6.8498"), ("USD", D(2021, 1, 4), "6.5408"),
    ("EUR", D(2019, 9, 2), "7.7733"), ("HKD", D(2019, 11, 11), "0.8940"),
]
RATE_SOURCE = "人民银行中间价(演示数据,约数)"

DEPARTMENTS = [
    ("保定市发展和改革委员会", "department", "0312-5000001"),
    ("保定市自然资源和规划局", "department", "0312-5000002"),
    ("保定市生态环境局", "department", "0312-5000003"),
    ("保定市行政审批局", "department", "0312-5000004"),
    ("保定市商务局", "department", "0312-5000005"),
    ("保定市工业和信息化局", "department", "0312-5000006"),
    ("保定市住房和城乡建设局", "department", "0312-5000007"),
    ("国网保定供电公司", "utility", "95598"),
    ("涿州市人民政府", "county", "0312-3600000"),
    ("高碑店市人民政府", "county", "0312-2800000"),
    ("保定高新技术产业开发区管委会", "zone", "0312-3100000"),
    ("定兴县人民政府", "county", "0312-6900000"),
]

EVENTS = {  # key: (name, date, place, organiser)
    "lf2019": ("2019中国·廊坊国际经济贸易洽谈会", D(2019, 5, 17), "廊坊", "河北省人民政府"),
    "lf2020": ("中国·廊坊国际经济贸易洽谈会", D(2020, 5, 18), "online", "河北省人民政府"),
    "rail": ("中国·保定轨道交通产业线上招商推介会", D(2020, 4, 28), "online", "保定市人民政府"),
    "digital": ("中国国际数字经济博览会", D(2019, 10, 11), "石家庄", "河北省人民政府"),
    "jjj": ("京津冀产业协同发展(保定)对接会", D(2019, 9, 6), "北京", "保定市人民政府"),
    "jjj2020": ("京津冀产业协同发展(保定)线上对接会", D(2020, 9, 8), "online", "保定市人民政府"),
    "bio": ("保定市生物医药产业招商推介会", D(2019, 11, 12), "保定", "保定市商务局"),
}

LEADERS = ["李建国", "张振华", "刘晓明", "陈立新", "王志强"]

# name, investor, region, industry, sub-industry, event, signed, amount, approval, lead unit, supporting, notes
REAL = [
    ("涿州现代供应链金融创新示范基地项目", "", "涿州市", "新一代信息技术", "大数据", "lf2020", D(2020, 5, 18),
     "1.8亿美元", "备案", "涿州市人民政府", ["保定市商务局", "保定市发展和改革委员会"],
     "建设京津冀运营总部、物流监管仓、供应链大数据信息平台。来源:河北日报2020年5月报道。"),
    ("中国创投(涿州)总部项目", "", "涿州市", "新一代信息技术", "大数据", "lf2020", D(2020, 5, 18),
     "25亿元", "备案", "涿州市人民政府", ["保定市工业和信息化局"],
     "北斗智慧产业、5S机器人产业、国际高科技双创产业。来源:河北日报2020年5月报道。"),
    ("华侨城涿州城市客厅项目", "华侨城集团", "涿州市", "文旅", "文旅", "lf2020", D(2020, 5, 18),
     "80亿元", "核准", "涿州市人民政府", ["保定市自然资源和规划局", "保定市住房和城乡建设局"],
     "涿州大剧院、文化艺术中心、都市商务中心、精品酒店,拒马河综合整治及湿地公园。来源:河北日报2020年5月报道。"),
]

SAMPLES = [
    ("轨道交通车辆关键零部件产业园项目", "河北京车轨道交通车辆装备有限公司", "高碑店市", "先进制造", "轨道交通", "rail", D(2020, 4, 28), "12亿元", "备案", "高碑店市人民政府", ["保定市工业和信息化局"]),
    ("城市轨道交通智能运维中心项目", "北京某轨道交通科技公司(示例)", "高碑店市", "先进制造", "轨道交通", "rail", D(2020, 4, 28), "6.5亿元", "备案", "高碑店市人民政府", []),
    ("轨道交通装备检测认证基地项目", "某检测认证集团(示例)", "高碑店市", "先进制造", "轨道交通", "rail", D(2020, 4, 28), "3.2亿元", "备案", "高碑店市人民政府", ["保定市行政审批局"]),
    ("新能源汽车动力电池回收利用项目", "某新能源科技公司(示例)", "徐水区", "节能环保", "资源循环", "jjj2020", D(2020, 9, 8), "15亿元", "核准", "保定市发展和改革委员会", ["保定市生态环境局"]),
    ("智能电网装备制造基地项目", "某电气集团(示例)", "保定高新区", "新能源及智能电网", "输变电装备", "lf2019", D(2019, 5, 17), "20亿元", "备案", "保定高新技术产业开发区管委会", ["国网保定供电公司"]),
    ("光伏组件智能制造项目", "某光伏股份公司(示例)", "保定高新区", "新能源及智能电网", "光伏", "lf2019", D(2019, 5, 17), "1.5亿美元", "备案", "保定高新技术产业开发区管委会", ["国网保定供电公司", "保定市生态环境局"]),
    ("生物医药创新产业园项目", "某医药集团(示例)", "安国市", "生物医药健康", "现代中药", "bio", D(2019, 11, 12), "30亿元", "核准", "保定市发展和改革委员会", ["保定市生态环境局", "保定市自然资源和规划局"]),
    ("现代中药饮片加工项目", "某中药饮片公司(示例)", "安国市", "生物医药健康", "现代中药", "bio", D(2019, 11, 12), "4565万元", "备案", "保定市商务局", []),
    ("高端医疗器械研发生产项目", "某医疗器械公司(示例)", "竞秀区", "生物医药健康", "医疗器械", "bio", D(2019, 11, 12), "8亿元", "备案", "保定市工业和信息化局", ["保定市行政审批局"]),
    ("京津冀大数据中心项目", "某云计算公司(示例)", "涞水县", "新一代信息技术", "大数据", "digital", D(2019, 10, 11), "50亿元", "核准", "保定市发展和改革委员会", ["国网保定供电公司", "保定市自然资源和规划局"]),
    ("工业互联网平台项目", "某工业互联网公司(示例)", "莲池区", "新一代信息技术", "工业互联网", "digital", D(2019, 10, 11), "5亿元", "备案", "保定市工业和信息化局", []),
    ("5G智能终端产业园项目", "某通信设备公司(示例)", "保定高新区", "新一代信息技术", "5G", "digital", D(2019, 10, 11), "2亿美元", "备案", "保定高新技术产业开发区管委会", ["保定市商务局"]),
    ("被动式超低能耗建筑产业园项目", "某建筑科技集团(示例)", "定兴县", "节能环保", "被动式建筑", "jjj", D(2019, 9, 6), "18亿元", "备案", "定兴县人民政府", ["保定市住房和城乡建设局"]),
    ("碳纤维复合材料项目", "某新材料公司(示例)", "满城区", "新材料", "碳纤维", "jjj", D(2019, 9, 6), "9亿元", "核准", "保定市发展和改革委员会", ["保定市生态环境局"]),
    ("石墨烯新材料研发生产项目", "某石墨烯科技公司(示例)", "清苑区", "新材料", "石墨烯", "jjj", D(2019, 9, 6), "6.71亿元", "备案", "保定市工业和信息化局", []),
    ("汽车零部件智能制造项目", "德国某汽车零部件公司(示例)", "徐水区", "先进制造", "汽车零部件", "jjj", D(2019, 9, 6), "8000万欧元", "核准", "保定市商务局", ["保定市行政审批局"]),
    ("节能环保装备产业园项目", "某环保装备集团(示例)", "高碑店市", "节能环保", "环保装备", "lf2019", D(2019, 5, 17), "12亿元", "备案", "高碑店市人民政府", ["保定市生态环境局"]),
    ("白沟箱包智能制造基地项目", "某箱包集团(示例)", "高碑店市", "先进制造", "箱包", "lf2019", D(2019, 5, 17), "3亿元", "备案", "高碑店市人民政府", []),
    ("氢能装备制造项目", "某氢能科技公司(示例)", "竞秀区", "新能源及智能电网", "氢能", "lf2019", D(2019, 5, 17), "10亿元", "核准", "保定市发展和改革委员会", ["国网保定供电公司"]),
    ("冷链物流园项目", "某物流集团(示例)", "定兴县", "现代服务业", "物流", "lf2019", D(2019, 5, 17), "7亿元", "备案", "定兴县人民政府", ["保定市自然资源和规划局"]),
    ("文化旅游综合体项目", "某文旅集团(示例)", "易县", "文旅", "文旅", "jjj", D(2019, 9, 6), "35亿元", "核准", "保定市发展和改革委员会", ["保定市自然资源和规划局", "保定市生态环境局"]),
    ("毛绒玩具产业转移承接园项目", "雄安疏解企业联合体(示例)", "高阳县", "先进制造", "毛绒玩具", "jjj", D(2019, 9, 6), "2.8亿元", "备案", "保定市商务局", []),
    ("智慧农业示范园项目", "某农业科技公司(示例)", "望都县", "现代农业", "智慧农业", "jjj2020", D(2020, 9, 8), "4亿元", "备案", "保定市商务局", ["保定市行政审批局"]),
    ("储能电池生产项目", "香港某新能源投资公司(示例)", "徐水区", "新能源及智能电网", "储能", "digital", D(2019, 11, 11), "10亿港元", "核准", "保定市发展和改革委员会", ["国网保定供电公司"]),
    ("高端装备再制造项目", "某装备集团(示例)", "满城区", "先进制造", "再制造", "jjj2020", D(2020, 9, 8), "5亿元", "备案", "保定市工业和信息化局", []),
    ("数字经济产业园项目", "某数字科技集团(示例)", "莲池区", "新一代信息技术", "数字经济", "digital", D(2019, 10, 11), "22亿元", "备案", "保定市商务局", ["保定市发展和改革委员会"]),
    ("生物发酵原料药绿色升级项目", "某制药股份公司(示例)", "蠡县", "生物医药健康", "原料药", "bio", D(2019, 11, 12), "6亿元", "核准", "保定市生态环境局", ["保定市发展和改革委员会"]),
    ("康养小镇项目", "某康养集团(示例)", "涞源县", "生物医药健康", "康养", "bio", D(2019, 11, 12), "16亿元", "核准", "保定市发展和改革委员会", ["保定市自然资源和规划局"]),
    ("半导体封装测试项目", "某半导体公司(示例)", "保定高新区", "新一代信息技术", "集成电路", "jjj2020", D(2020, 9, 8), "3000万美元", "备案", "保定高新技术产业开发区管委会", []),
    ("新型建材绿色工厂项目", "某建材集团(示例)", "曲阳县", "新材料", "绿色建材", "lf2019", D(2019, 5, 17), "4亿元", "备案", "保定市工业和信息化局", ["保定市生态环境局"]),
]

# Stage paths after signing: (stage, days after signing, note). Index = deal number mod len.
PATHS = [
    [("registered", 40, ""), ("construction", 120, "取得施工许可"), ("operating", 520, "一期竣工投产")],
    [("registered", 30, ""), ("construction", 200, "土地摘牌后开工")],
    [("registered", 60, "")],
    [],
    [("registered", 45, ""), ("construction", 150, ""), ("stalled", 400, "投资方资金链紧张,暂缓建设")],
    [("registered", 90, ""), ("terminated", 300, "投资方战略调整,双方协商终止")],
    [("registered", 20, ""), ("construction", 90, "")],
]

# Blockers by deal number: (text, department, days after signing raised, days to due, resolved after days or None, resolution)
BLOCKERS = [
    ("项目用地指标不足,需调整土地利用总体规划", "保定市自然资源和规划局", 15, 60, 55, "已纳入规划调整方案,指标落实"),
    ("环评批复尚未取得", "保定市生态环境局", 20, 45, None, ""),
    ("双回路供电接入方案未确定", "国网保定供电公司", 30, 30, 25, "供电方案已批复"),
    ("施工许可证并联审批材料不全", "保定市行政审批局", 25, 20, None, ""),
]


# fmt: on


def _history(code: str, signed: datetime.date, path_no: int) -> None:
    for stage, days, note in PATHS[path_no % len(PATHS)]:
        on = signed + datetime.timedelta(days=days)
        if on > datetime.date.today():
            break
        stages.change_stage(code, stage, on=on, note=note or _("Progress recorded by the bureau"), actor=ACTOR)


def is_loaded() -> bool:
    """True when the demo ledger is already in the database."""
    return Deal.select().where(Deal.name == REAL[0][0]).exists()


def load_demo() -> str:
    """Load the demo ledger into the open database; refuses a database with other deals in it."""
    from crm.foundation.errors import InvalidInput
    from db.connection import writing

    if is_loaded():
        return _("The demo ledger is already loaded")
    if Deal.select().exists():
        raise InvalidInput(
            _("This database already holds deals; load the demo into an empty database (crm --db demo.sqlite3 demo)")
        )
    with writing():
        for currency, on, rate in RATES:
            fx.set_rate(currency, on, rate, source=RATE_SOURCE)
        for name, kind, contact in DEPARTMENTS:
            if not Department.select().where(Department.name == name).exists():
                registry.add_department(name, kind=kind, contact=contact, actor=ACTOR)
        events = {key: registry.add_event(*spec) for key, spec in EVENTS.items()}
        rows = [r + (None,) for r in REAL] + [r + (SAMPLE,) for r in SAMPLES]
        for n, (
            name,
            investor,
            region,
            industry,
            sub,
            event,
            signed,
            amount,
            approval,
            lead,
            supporting,
            *rest,
        ) in enumerate(rows):
            notes = " ".join(x for x in rest if x)
            values = {
                "name": name,
                "investor": investor,
                "region": region,
                "industry": industry,
                "sub_industry": sub,
                "event": events[event].name,
                "signed_on": signed.isoformat(),
                "amount": amount,
                "approval": approval,
                "lead_unit": lead,
                "liaison": LEADERS[n % len(LEADERS)],
                "planned_start": (signed + datetime.timedelta(days=120)).isoformat(),
                "planned_completion": (signed + datetime.timedelta(days=720)).isoformat(),
                "responsibility_plan": f"{lead}牵头,{'、'.join(supporting) or '属地政府'}配合;按月调度,问题清单化管理。",
                "notes": notes,
            }
            if name == "华侨城涿州城市客厅项目":
                values["floor_area"] = "81.9万平方米"
            deal = deals.create_deal(
                {k: v for k, v in values.items() if v is not None}, supporting=supporting, actor=ACTOR
            )
            _history(deal.code, signed, n)
            _blockers(deal.code, signed, n)
            _funds(deal, signed, n)
    return _("Demo ledger loaded: {n} deals").format(n=Deal.select().count())


def _blockers(code, signed, n):
    if n < 3:  # the Zhuozhou deals: one question raised in the week they were signed
        if n == 2:
            blockers.add_blocker(
                code,
                "拒马河综合整治段用地手续需市县联审",
                "保定市自然资源和规划局",
                raised=D(2020, 5, 20),
                due=D(2020, 6, 30),
                actor=ACTOR,
            )
        return
    if n % 3:
        return
    text, dept, raised_after, due_in, resolved_after, resolution = BLOCKERS[n % len(BLOCKERS)]
    raised = signed + datetime.timedelta(days=raised_after)
    b = blockers.add_blocker(code, text, dept, raised=raised, due=raised + datetime.timedelta(days=due_in), actor=ACTOR)
    if resolved_after is not None:
        blockers.resolve_blocker(
            b.id, note=resolution, on=raised + datetime.timedelta(days=resolved_after), actor=ACTOR
        )
    if n % 9 == 0:  # a recent one, still within its deadline
        today = datetime.date.today()
        blockers.add_blocker(
            code,
            "配套道路建设进度滞后",
            "保定市住房和城乡建设局",
            raised=today - datetime.timedelta(days=3),
            due=today + datetime.timedelta(days=30),
            actor=ACTOR,
        )


def _funds(deal, signed, n):
    if n < 3 or n % 2:
        return
    share = Decimal("0.3") if n % 4 else Decimal("0.6")
    amount = (deal.amount * share).quantize(Decimal("0.01"))
    funds.record_funds(
        deal.code,
        f"{amount}{'元' if deal.currency == 'CNY' else ' ' + deal.currency}",
        on=signed + datetime.timedelta(days=200),
        note=_("First tranche"),
        actor=ACTOR,
    )
