"""What free progress text says about a deal's stage: the words officers write in 进展情况 / 项目进度.

    classify_progress("已开工建设，主体施工中")   # "construction"
    classify_progress("施工图审查通过")           # None: getting ready to build names no stage
    classify_progress("项目取消了吗？否，正常推进") # None: a question and a "no" name none

The import keeps the text whole as a progress entry and takes the stage it names (crm.importing.cells,
read_progress_cell); None leaves a deal's stage as it is (签约 for a new deal).
"""

from __future__ import annotations

import re
import unicodedata

# Words officers write in a progress cell, by the stage they mean; earlier stages in this list win
# (因资金问题暂缓推进 is paused although it names no other stage; 已竣工投产 is operating, not started).
PROGRESS_WORDS = (
    ("terminated", ("终止", "取消", "退出", "撤销", "不再实施")),
    ("stalled", ("暂缓", "停滞", "搁置", "暂停", "停工", "停建")),
    ("operating", ("投产", "竣工", "试生产", "试运行", "运营", "投运", "达产", "建成")),
    ("construction", ("施工", "在建", "主体", "安装", "开工", "建设中", "复工", "调试", "封顶", "基础")),
    ("registered", ("注册", "工商", "落地", "营业执照")),
    ("signed", ("签约", "前期手续", "立项", "备案", "环评", "规划", "土地", "摘牌", "招拍挂", "审批", "手续")),
    ("negotiating", ("洽谈", "在谈", "对接", "考察", "接洽", "谈判", "磋商")),
)
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
# A word after these is not done (yet): 尚未开工, 计划于2020年7月开工, 力争年底前投产, 没有停工; 已 or the end of
# a clause in between ends it (尚未完成验收但已开工). 按计划施工 is building.
_NOT_YET = re.compile(
    r"(?:尚未|未|没有|没|暂未|还未|并未|无法|否|待|拟|(?<!按)计划|预计|争取|力争|准备|筹备|即将|将于|将在|确保"
    r"|尽快|早日|有望|是否)[^已、,;。!?\n]{0,12}$|不[能会再予可]?$"
)
# One clause of progress text (NFKC: full-width punctuation is ASCII by then), with the question mark that ends it.
_CLAUSE = re.compile(r"[^,;。!?\n]+\??")
# A clause that asks rather than says (项目取消了吗？ 是否开工 何时投产) names no stage; _ASKS tells text that may have one.
_QUESTION = re.compile(r"\?$|吗|是否|能否|可否|有没有|何时|什么时候|[么呢]$")
_ASKS = re.compile(r"[?吗否何么呢]|有没有")


def classify_progress(text: str) -> str | None:
    """The stage free progress text names by its words (已开工建设，主体施工中 → construction), or None.

    Earlier stages of PROGRESS_WORDS win; a word is not counted after a negation or a word of intent
    (_NOT_YET), in a question (项目取消了吗？否), or inside a phrase about getting ready to build (施工图, 施工许可,
    开工准备 …: _NOT_STAGE_WORDS).
    """
    normal = _NOT_STAGE_WORDS.sub(_blanked, unicodedata.normalize("NFKC", text))
    if _ASKS.search(normal):
        normal = ",".join(clause for clause in _CLAUSE.findall(normal) if not _QUESTION.search(clause))
    for key, words in PROGRESS_WORDS:
        for word in words:
            start = normal.find(word)
            while start >= 0:
                if not _NOT_YET.search(normal, max(0, start - 16), start):
                    return key
                start = normal.find(word, start + 1)
    return None


def _blanked(match: re.Match) -> str:
    return "□" * len(match.group(0))
