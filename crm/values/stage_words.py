"""What free progress text says about a deal's stage: the words officers write in 进展情况 / 项目进度.

    classify_progress("已开工建设，主体施工中")          # "construction"
    classify_progress("施工图审查通过")                  # None: getting ready to build names no stage
    classify_progress("项目取消了吗？否，正常推进")        # None: a question and a "no" name none
    classify_progress("本周完成土地摘牌，下周开工")        # "signed": 下周开工 has not happened yet
    classify_progress("因疫情影响停工两周，现已复工")      # "construction": the later 复工 ends the 停工
    classify_progress("取消原设计方案，重新设计厂房")      # None: a design is cancelled, not the project

The import keeps the text whole as a progress entry and takes the stage it names (crm.importing.cells,
read_progress_cell); None leaves a deal's stage as it is (签约 for a new deal).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import NamedTuple

from crm.values.dates import digit_dates

# Words officers write in a progress cell, by the stage they mean; earlier stages in this list win
# (因资金问题暂缓推进 is paused although it names no other stage; 已竣工投产 is operating, not started).
PROGRESS_WORDS = (
    ("terminated", ("终止", "取消", "退出", "撤销", "不再实施", "撤资", "注销", "解约")),
    ("stalled", ("暂缓", "停滞", "搁置", "暂停", "停工", "停建", "停产")),
    ("operating", ("投产", "竣工", "试生产", "试运行", "运营", "投运", "达产", "建成", "恢复生产")),
    ("construction", ("施工", "在建", "主体", "安装", "开工", "建设中", "复工", "调试", "封顶", "基础")),
    ("registered", ("注册", "工商", "落地", "营业执照")),
    ("signed", ("签约", "前期手续", "立项", "备案", "环评", "规划", "土地", "摘牌", "招拍挂", "审批", "手续", "供地")),
    ("negotiating", ("洽谈", "在谈", "对接", "考察", "接洽", "谈判", "磋商", "意向", "储备", "谋划", "跟踪")),
)
_RANK = {key: rank for rank, (key, _words) in enumerate(PROGRESS_WORDS)}
# A signed agreement is a signing too (已签订投资协议, 已签框架协议); a construction contract is not (已签订施工合同).
_SIGNING = r"签约|签(?:订|署|了)?[^,;。!?\n]{0,6}协议"
_FINDS = {
    key: re.compile("|".join([*map(re.escape, words), *([_SIGNING] if key == "signed" else [])]))
    for key, words in PROGRESS_WORDS
}
# Getting ready to build names 施工/开工/基础 but is not construction (施工图审查通过, 正在办理施工许可证,
# 具备开工条件, 完成基础设计), nor is what a project will do once built (建成后年产值…) or a word that only
# contains a stage word (投资主体, 合作基础, 运营公司): these are blanked out before the stage words are looked for.
_NOT_STAGE_WORDS = re.compile(
    r"(?=[施开基打奠投建竣达运主])(?:"  # the first characters below, told at once: most of a text is none of them
    r"施工(?=图|许可|招标|单位招标|合同|方案|准备|条件|前|手续|资质)|(?<=确定|选定|招标)施工"
    r"|开工(?=准备|条件|前|手续|许可|审批)"
    r"|基础(?=设计|设施|条件|资料|数据|工作)|(?<=合作|产业|工作|良好|坚实|前期)基础|(?:打下|奠定)[^,;。]{0,4}基础"
    r"|(?:投产|建成|竣工|达产|运营|投运)(?=后)"
    r"|(?<=投资|市场|运营|实施|建设|签约|责任)主体|主体(?=责任)|运营(?=主体|公司|方|商|模式|团队))"
)
# A word after these in its clause is not done (yet): 尚未开工, 计划于2020年7月开工, 力争年底前投产, 下周开工,
# 9月底主体封顶, 6月30日前投产, 没有停工; 已 in between ends it (尚未完成验收但已开工), and a time said after 已 is
# past (已于9月底开工). 按计划施工 is building; 6月18日正式投产 names a day that has come.
_NOT_YET = re.compile(
    r"(?:尚未|未|没有|没|暂未|还未|并未|无法|否|待|拟|(?<!按)计划|预计|争取|力争|准备|筹备|即将|将于|将在|将要|确保"
    r"|尽快|早日|有望|是否|预期|打算|目标|后续|今后"
    r"|(?<![\d年月周本今明])(?<!已)(?<!已于)(?<!已在)(?<!已经于)"  # a time ahead, unless 已 said it has come
    r"(?:下(?:周|月|个月|一步|步|阶段|一阶段|半年|旬)|[明后]年|近期"
    r"|(?:(?:\d{1,4}|[今本明一二三四五六七八九十]{1,3})?[年月])+(?:底|末|内)|周内"
    r"|(?:\d{1,2}月)?\d{1,2}[日号]前))"
    r"[^已]{0,20}$|不[能会再予可]?$"
)
# A step being applied for is not done (正在办理注册, 注册手续办理中): said of the stages a step reaches, not of the
# paperwork that is the signed stage itself (正在办理土地手续 is signed).
_APPLYING_BEFORE = re.compile(r"正在(?:办理|申请|申报|申办)[^,;。!?\n]{0,4}$")
_APPLYING_AFTER = re.compile(r"[^,;。!?\n]{0,6}?(?:办理中|申请中|申报中|审批中|审核中|正在办理|正在申请)")
_STEPS = ("registered", "construction", "operating")
# What is cancelled when 取消/终止/撤销 … is not the project: a design, a plan, a meeting (取消原设计方案, 原方案取消).
_OTHER_THING = r"(?:方案|设计|图纸|会议|活动|招标|审批|批复|订单|规划|指标|安排|限产|限制|管制|检查|[一二三四]期|部分|计划|机制|程序|条款)"
_OTHER_OBJECT = re.compile(r"[了原本该此部分的]{0,3}[^,;。!?\n]{0,2}" + _OTHER_THING)
_OTHER_SUBJECT = re.compile(_OTHER_THING + r"[已经被均都也暂予正式]{0,3}$")
_PROJECT_OBJECT = re.compile(r"[了原本该此]{0,2}(?:项目|投资|合作|协议|合同|签约)")
# A clause that says the deal has moved on again (现已复工, 恢复生产, 重新启动洽谈) ends an earlier pause or end.
_RESUMED = re.compile(r"复工|复产|恢复|重新|重启|现已|目前已|现在已|现正|目前正")
# One clause of progress text (NFKC: full-width punctuation is ASCII by then), with the question mark that ends it.
_CLAUSE = re.compile(r"[^,;。!?\n]+\??")
# A clause that asks rather than says (项目取消了吗？ 是否开工 何时投产) names no stage.
_QUESTION = re.compile(r"\?$|吗|是否|能否|可否|有没有|何时|什么时候|[么呢]$")


class _Hit(NamedTuple):
    at: int  # where in the text: a later clause that resumes ends an earlier pause
    key: str
    resumes: bool


def classify_progress(text: str, as_of: datetime.date | None = None) -> str | None:
    """The stage free progress text names by its words (已开工建设，主体施工中 → construction), or None.

    `as_of`, the day the text was written as of (a sheet's 数据截至 day): a month's end it names that has passed
    by then is no time ahead (10月底完成注册 in a sheet as of 12月10日 is registered; 12月底投产 is not yet).

    Clause by clause (split on ，；。 and the like): a word is not counted after a negation or a word of intent or
    a time ahead in its clause (_NOT_YET: 尚未开工, 下周开工, 年底前投产), in a question (项目取消了吗？否), or inside a
    phrase about getting ready to build (施工图, 施工许可, 开工准备 …: _NOT_STAGE_WORDS); a signing not yet done
    (拟签约, 预计下月签约) is negotiating. 取消/终止 … end the deal only when what ends is the project, not a design or
    a plan (取消原设计方案). A pause or end followed by a clause saying work goes on again (停工两周，现已复工) is
    over. Of the stages left, earlier ones of PROGRESS_WORDS win. A 公文 date (十月底, 十一月二十日前) is read as
    its digits (10月底, 11月20日前) are.
    """
    return _classified(text, as_of, None)


def words_not_yet(text: str, as_of: datetime.date | None = None) -> list[str]:
    """The stage words `text` names but says have not happened yet, each once in the order written: 尚未注册 →
    ["注册"], 计划明年开工 → ["开工"], 正在办理注册 → ["注册"]. These are the words classify_progress leaves
    uncounted for a negation, a word of intent, a time ahead or a step being applied for (`as_of` as there);
    not those of a question or of getting ready to build (施工图审查通过 → [])."""
    held: list[tuple[int, str]] = []
    _classified(text, as_of, held)
    return list(dict.fromkeys(word for _at, word in sorted(held)))


def _classified(text: str, as_of: datetime.date | None, held: list | None) -> str | None:
    """classify_progress; the words it leaves uncounted as not yet so go to `held` (where, the word), if given."""
    normal = _NOT_STAGE_WORDS.sub(_blanked, digit_dates(unicodedata.normalize("NFKC", text)))
    hits: list[_Hit] = []
    for clause in _CLAUSE.finditer(normal):
        if not _QUESTION.search(clause.group(0)):
            hits.extend(_clause_hits(clause.group(0), clause.start(), as_of, held))
    resumed = max((h.at for h in hits if h.resumes and _RANK[h.key] >= _RANK["operating"]), default=-1)
    kept = [h.key for h in hits if not (h.key in ("terminated", "stalled") and h.at < resumed)]
    return min(kept, key=_RANK.__getitem__, default=None)


def _clause_hits(clause: str, offset: int, as_of: datetime.date | None = None, held: list | None = None) -> list[_Hit]:
    """The stage words one clause says are so, each with where it is and whether the clause says work goes on;
    those it says are not so yet go to `held` (where, the word), if given."""
    resumes = bool(_RESUMED.search(clause))
    blanked = _past_months_blanked(clause, as_of)  # as long as the clause: the words' places hold
    hits = []
    for key, find in _FINDS.items():
        for word in find.finditer(clause):
            before = blanked[: word.start()]
            applying = key in _STEPS and (_APPLYING_BEFORE.search(before) or _APPLYING_AFTER.match(clause, word.end()))
            if applying or _NOT_YET.search(before):  # 正在办理注册, 尚未开工: not done yet
                if held is not None:
                    held.append((offset + word.start(), word.group(0)))
                if key == "signed" and re.fullmatch(_SIGNING, word.group(0)):
                    hits.append(_Hit(offset + word.start(), "negotiating", resumes))  # 拟签约: still talking
            elif key != "terminated" or _ends_the_project(before, clause[word.end() :]):
                hits.append(_Hit(offset + word.start(), key, resumes))
    return hits


#: A month's end (10月底, 2025年10月末) in progress text: a time ahead unless it has passed (_past_months_blanked).
_MONTH_END = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:底|末)")


def _past_months_blanked(before: str, as_of: datetime.date | None) -> str:
    """`before` with each month's end that had passed by `as_of` blanked, so that _NOT_YET does not read it as a
    time ahead. A month without its year is the one nearest `as_of` (10月底 as of 12月10日: this October's; 1月底:
    next January's)."""
    if as_of is None or "月" not in before:
        return before
    return _MONTH_END.sub(lambda m: "□" * len(m.group(0)) if _month_end_passed(m, as_of) else m.group(0), before)


def _month_end_passed(match: re.Match, as_of: datetime.date) -> bool:
    month = int(match.group(2))
    if not 1 <= month <= 12:
        return False
    if match.group(1):
        return (int(match.group(1)), month) < (as_of.year, as_of.month)
    ahead = (month - as_of.month) % 12  # months from as_of's month forward to that month
    return ahead > 6  # nearer behind than ahead: passed (as_of's own month is not over)


def _ends_the_project(before: str, after: str) -> bool:
    """Whether 取消/终止/撤销 … between `before` and `after` in a clause ends the project (项目取消, 取消合作,
    企业取消投资计划) rather than something done for it (取消原设计方案, 原方案取消, 取消部分建设内容)."""
    if _PROJECT_OBJECT.match(after):
        return True
    return not (_OTHER_OBJECT.match(after) or _OTHER_SUBJECT.search(before))


def _blanked(match: re.Match) -> str:
    return "□" * len(match.group(0))
