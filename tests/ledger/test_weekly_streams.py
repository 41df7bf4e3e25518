"""The weekly table's files are written as the rows are read (exports.weekly_text, exports.streamed_table),
and each is byte for byte what the program wrote when it held the whole table (tests/ledger/weekly_reference.py):
CSV through its own line writer, md/txt/html a few rows at a time padded to the whole table's widths.

The ledger is the demo's with hostile text in every text column the table shows (formula-looking,
quoted, commas, line breaks, control characters, an ANSI colour code, wide and narrow characters of
every width), deals without an event, lead department or liaison, a foreign-currency and an
approximate amount, and a week with stage changes, funds, progress entries and blockers raised,
resolved and overdue; in Chinese and English, on both backends."""

import datetime
import io

import pytest

from crm.deals import blockers
from crm.deals.funds import record_funds
from crm.deals.progress import record_progress
from crm.deals.records import create_deal
from crm.deals.stages import change_stage
from crm.foundation.i18n import set_language
from crm.reference import fx, registry
from crm.reporting import weekly
from db.models import Deal, DealDepartment, Department, Event, Person
from exports import streamed_table, weekly_text
from tests.conftest import filled_ledger
from tests.ledger import weekly_reference

D = datetime.date
W21 = weekly.Week(D(2020, 5, 18), D(2020, 5, 24))
HOSTILE = [
    "=SUM(A1:A9)",
    "+86 涿州",
    "-负数开头",
    "@招商",
    "\t制表开头",
    "＝全角等号",
    "逗号, 在中间",
    '引号 " 在中间',
    "换行\n在中间",
    "回车\r在中间",
    "控制\x01字符\x1f与\x7f",
    "\x1b[31m红字\x1b[0m",
    "反斜杠 \\ 与 | 管道 <b>粗</b> & 号",
    "  前后空格  ",
    "'已有撇号",
    "很长的名字" * 9,
    "a" * 48,
    "",
]


@filled_ledger("demo_ledger")
def hostile_week():
    """The demo ledger with hostile text everywhere week 2020-W21's table shows, and a busy week (written once,
    each test given a copy)."""
    deals = list(Deal.select().order_by(Deal.id))
    for i, text in enumerate(HOSTILE):
        Deal.update(
            name=text or "空", investor=text, region=text or "涿州市", industry=HOSTILE[-i], sub_industry=text
        ).where(Deal.id == deals[i].id).execute()
    Event.update(name=HOSTILE[0] + "\n第二行").where(Event.id == deals[0].event_id).execute()
    Department.update(name='=牵头, "单位"\n二').where(Department.id == deals[1].lead_unit_id).execute()
    Person.update(name="@包联\r\n领导").where(Person.id == deals[2].liaison_id).execute()
    Deal.update(event=None, lead_unit=None, liaison=None).where(Deal.id == deals[4].id).execute()
    registry.add_department("-配合|单位")
    registry.add_department("配合单位二")
    fx.set_rate("USD", D(2020, 1, 2), "7.0000")
    a = create_deal({"name": "=周内签约", "amount": "1.8亿美元", "signed_on": "2020-05-19", "region": "涿州市"})
    b = create_deal({"name": "约数项目", "amount": "117亿余元", "signed_on": "2020-05-11", "region": "-涿州"})
    c = create_deal({"name": "小额", "amount": "4565元", "signed_on": "2020-05-12", "lead_unit": "-配合|单位"})
    for deal in (a, b, c):
        for name in ("-配合|单位", "配合单位二"):
            DealDepartment.create(deal=deal.id, department=Department.get(Department.name == name).id)
    Department.update(name="配合\n单位 二").where(Department.name == "配合单位二").execute()  # past the checks
    change_stage(b.code, "registered", on=D(2020, 5, 20), note='=备注, 含"引号"\n与换行')
    change_stage(c.code, "registered", on=D(2020, 5, 13))
    change_stage(c.code, "operating", on=D(2020, 5, 21))
    record_funds(a.code, "2000万美元", on=D(2020, 5, 21))
    record_progress(b.id, "+周内进展\n第二行", D(2020, 5, 22), "=张三")
    record_progress(deals[3].id, "加粗 进展\n\t缩进", D(2020, 5, 18), "李四")
    old = blockers.add_blocker(b.code, "=逾期, 问题", "-配合|单位", raised=D(2020, 5, 12), due=D(2020, 5, 15))
    blockers.add_blocker(b.code, "问题\n两行", "-配合|单位", raised=D(2020, 5, 19), due=D(2020, 5, 30))
    done = blockers.add_blocker(a.code, '"已解决"', "-配合|单位", raised=D(2020, 5, 19))
    blockers.resolve_blocker(done.id, note="@办结, 好", on=D(2020, 5, 23))
    return {"old": old}


def _streamed(fmt: str) -> str:
    out = io.StringIO()
    weekly_text.write(weekly.stream(W21), fmt, out)
    return out.getvalue()


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["csv", "md", "txt", "html"])
def test_every_format_is_what_the_whole_table_gave(hostile_week, monkeypatch, language, fmt):
    set_language(language)
    try:
        monkeypatch.setattr(streamed_table, "BATCH", 3)  # many batches: each padded as the whole table
        expected = weekly_reference.render(weekly.build(W21), fmt)
        assert len(weekly.build(W21).rows) > 10
        assert _streamed(fmt) == expected
        monkeypatch.setattr(streamed_table, "BATCH", 500)  # one batch
        assert _streamed(fmt) == expected
    finally:
        set_language("zh")


def test_the_hostile_text_is_in_the_table(hostile_week):
    text = _streamed("csv")
    assert "'=SUM(A1:A9)" in text and '"\'=周内签约"' not in text and "'=周内签约" in text
    assert "1.8亿美元" in text and "约117亿元" in text and "4565元" in text
    md = _streamed("md")
    assert "\\|" in md and "&lt;b&gt;" in md and "<br>" in md
    html = _streamed("html")
    assert '<td class="overdue">' in html and '<tr class="total">' in html


def test_the_cli_writes_the_same_files(hostile_week, demo_url, run_cli, tmp_path):
    expected = {fmt: weekly_reference.render(weekly.build(W21), fmt) for fmt in ("csv", "md", "txt", "html")}
    for fmt, text in expected.items():
        path = tmp_path / f"w21.{fmt}"
        code, _out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W21", "-o", path)
        assert code == 0, err
        with open(path, encoding="utf-8", newline="") as written:  # as written: a cell's \r stays
            assert written.read() == text
        code, out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W21", "--format", fmt)
        assert code == 0, err
        assert out == text
