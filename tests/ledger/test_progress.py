"""The progress log: append-only dated entries with their author, audited."""

import dataclasses
import datetime

import pytest

from crm.audit import log as audit
from crm.deals.progress import ProgressEntry, progress_of, record_progress
from crm.deals.records import create_deal
from crm.foundation.errors import InvalidInput, NotFound
from db.models import Progress

D = datetime.date


def _deal():
    return create_deal({"name": "涿州城市客厅项目", "amount": "80亿元", "signed_on": "2020-05-18"})


def test_entries_come_back_oldest_first_with_author(ledger):
    deal = _deal()
    second = record_progress(deal.id, "主体封顶", D(2020, 6, 10), "张三")
    first = record_progress(deal.id, "施工图审查通过", D(2020, 6, 1), "李四")
    assert isinstance(first, ProgressEntry)
    entries = progress_of(deal.id)
    assert [(e.on, e.by, e.text) for e in entries] == [
        (D(2020, 6, 1), "李四", "施工图审查通过"),
        (D(2020, 6, 10), "张三", "主体封顶"),
    ]
    assert entries[1] == second
    with pytest.raises(dataclasses.FrozenInstanceError):
        entries[0].text = "changed"  # frozen
    trail = audit.history("progress", Progress.get(Progress.text == "主体封顶").id)
    assert {(a.field, a.new, a.actor) for a in trail} == {("on", "2020-06-10", "张三"), ("text", "主体封顶", "张三")}


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_empty_or_too_long_text_is_refused_and_nothing_written(ledger, text):
    deal = _deal()
    with pytest.raises(InvalidInput):
        record_progress(deal.id, text, D(2020, 6, 1), "张三")
    assert progress_of(deal.id) == []


def test_unknown_deal_is_not_found(ledger):
    with pytest.raises(NotFound):
        record_progress(987654, "施工图审查通过", D(2020, 6, 1), "张三")


# ---- from the command line, and where entries show ----------------------------------------

import json  # noqa: E402

from crm.reporting import weekly  # noqa: E402
from exports import weekly_layout  # noqa: E402


def test_progress_from_cli_shows_in_show_deals_and_the_weekly_table(ledger, run_cli, db_url):
    code = _deal().code
    status, out, err = run_cli("--db", db_url, "progress", code, "施工图审查通过", "--on", "2020-05-20")
    assert status == 0, err
    assert run_cli("--db", db_url, "progress", code, "主体封顶", "--on", "2020-06-02")[0] == 0
    status, out, err = run_cli("--db", db_url, "show", code, "--format", "json")
    assert json.loads(out)["progress"] == [
        {"on": "2020-05-20", "by": "测试员", "text": "施工图审查通过"},
        {"on": "2020-06-02", "by": "测试员", "text": "主体封顶"},
    ]
    status, out, err = run_cli("--db", db_url, "deals", "--format", "json")
    assert json.loads(out)[0]["latest_progress"]["text"] == "主体封顶"
    status, out, err = run_cli("--db", db_url, "deals")
    assert "最近进展" in out and "2020-06-02 主体封顶" in out
    table = weekly.build(weekly.resolve_week("2020-W21"))
    assert [weekly_layout.progress_text(r) for r in table.rows if r.code == code] == [
        "2020-05-18 新增项目（签约）\n2020-05-20 施工图审查通过"
    ]
    status, out, err = run_cli("--db", db_url, "progress", code, "")
    assert (
        status == 2
        and err.count("\n") == 1
        and progress_of(deal_id_of(code))
        and len(progress_of(deal_id_of(code))) == 2
    )


def deal_id_of(code):
    from crm.reference.lookup import deal_by_code

    return deal_by_code(code).id


def test_stale_deals_as_of_a_date(ledger, run_cli, db_url):
    quiet = create_deal({"name": "安静项目", "amount": "1亿元", "signed_on": "2020-01-10"}).code
    busy = create_deal({"name": "活跃项目", "amount": "1亿元", "signed_on": "2020-01-10"}).code
    record_progress(deal_id_of(busy), "土地摘牌", D(2020, 3, 1), "张三")
    status, out, err = run_cli("--db", db_url, "deals", "--stale", "30", "--as-of", "2020-03-15", "--format", "json")
    assert status == 0, err
    assert [(d["code"], d["last_event"], d["quiet_days"]) for d in json.loads(out)] == [(quiet, "2020-01-10", 65)]
    status, out, err = run_cli("--db", db_url, "deals", "--stale", "30", "--as-of", "2020-02-05", "--format", "json")
    assert json.loads(out) == []  # both signed 26 days before
    status, out, err = run_cli("--db", db_url, "deals", "--stale", "0")
    assert status == 2


def test_tags_filter_and_five_ones(ledger, run_cli, db_url):
    from crm.reference import registry

    registry.add_department("市发改委")
    a = create_deal(
        {
            "name": "甲",
            "amount": "1亿元",
            "signed_on": "2020-01-10",
            "liaison": "王副市长",
            "lead_unit": "市发改委",
            "planned_start": "2020-03-01",
            "planned_completion": "2021-12-31",
            "responsibility_plan": "专班推进",
        }
    ).code
    b = create_deal({"name": "乙", "amount": "2亿元", "signed_on": "2020-01-10"}).code
    assert run_cli("--db", db_url, "tag", a, "市重点", "京津合作")[0] == 0
    status, out, err = run_cli("--db", db_url, "deals", "--tag", "市重点", "--format", "json")
    assert [d["code"] for d in json.loads(out)] == [a]
    status, out, err = run_cli("--db", db_url, "kpi", "--liaison", "王副", "--format", "json")
    assert json.loads(out)["deals"] == 1
    status, out, err = run_cli("--db", db_url, "deals", "--tag", "不存在")
    assert status == 2
    assert run_cli("--db", db_url, "untag", a, "市重点")[1].strip() == "京津合作"
    assert run_cli("--db", db_url, "untag", a, "市重点")[0] == 2
    status, out, err = run_cli("--db", db_url, "check", "five-ones", "--format", "json")
    data = json.loads(out)
    assert (data["checked"], data["complete"], data["coverage"]) == (2, 1, "0.5000")
    assert data["missing"] == [{"code": b, "name": "乙", "missing": ["liaison", "lead_unit", "timetable", "plan"]}]
