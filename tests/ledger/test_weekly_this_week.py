"""The weekly table of this week and of last week: `--week 本周 / 上周` gives the table of the week named by its
number, and a table made before its week is over says the day its data is as of (today), not the Sunday to come
— in every format. On the demo ledger, SQLite and PostgreSQL."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from crm.reporting import weekly
from exports import weekly_layout
from exports.weekly_files import write_weekly

D = datetime.date
FORMATS = ("csv", "xlsx", "txt", "md", "html")


def _export(run_cli, url, week):
    code, out, err = run_cli("--db", url, "export", "weekly", "--week", week, "--format", "csv")
    assert code == 0, err
    return out


def _key(day):
    return weekly.week_containing(day).key


@pytest.mark.parametrize(
    "words, back", [("本周", 0), ("this week", 0), ("上周", 1), ("last week", 1)], ids=["本周", "this", "上周", "last"]
)
def test_this_and_last_week_give_the_rows_of_the_week_named_by_its_number(demo_ledger, demo_url, run_cli, words, back):
    today = datetime.date.today()
    named = _export(run_cli, demo_url, words)
    if datetime.date.today() != today:
        pytest.skip("ran across midnight")
    numbered = _export(run_cli, demo_url, _key(today - datetime.timedelta(weeks=back)))
    rows = list(csv.reader(io.StringIO(named)))
    assert _key(today - datetime.timedelta(weeks=back))[-2:] in rows[0][0]  # the title names the week: …第50周
    assert len([r for r in rows if r and r[0].isdigit()]) > 5  # the demo ledger's open deals
    assert named == numbered


def test_this_week_s_header_says_today_last_week_s_its_sunday(demo_ledger, demo_url, run_cli):
    today = datetime.date.today()
    this_week = list(csv.reader(io.StringIO(_export(run_cli, demo_url, "本周"))))[2][0]
    last_week = list(csv.reader(io.StringIO(_export(run_cli, demo_url, "上周"))))[2][0]
    sunday = weekly.week_containing(today).sunday
    assert today.isoformat() in this_week
    if today != sunday:  # on a Sunday the week ends today: its end is no future day
        assert sunday.isoformat() not in this_week
    assert (today - datetime.timedelta(days=today.weekday() + 1)).isoformat() in last_week  # last week's Sunday


def _written(table, fmt, path) -> str:
    """The text of the exported file's first lines (an xlsx: its first rows' cells)."""
    write_weekly(table, fmt, path)
    if fmt == "xlsx":
        sheet = load_workbook(path, read_only=True).worksheets[0]
        return "\n".join(str(c) for row in sheet.iter_rows(max_row=5, values_only=True) for c in row if c)
    text = path.read_text(encoding="utf-8-sig")
    return text.split("<table")[0] if fmt == "html" else "\n".join(text.splitlines()[:6])  # above the table


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_week_not_over_is_as_of_the_day_it_is_made_in_every_format(demo_ledger, tmp_path, fmt):
    week = weekly.resolve_week("2020-W21")  # 2020-05-18 … 2020-05-24
    wednesday = D(2020, 5, 20)
    table = weekly.stream(week, today=wednesday)
    said = weekly_layout.as_of_text(table)
    assert "2020-05-20" in said and "2020-05-24" not in said
    assert "周三" in said or "Wednesday" in said
    head = _written(table, fmt, tmp_path / f"w.{fmt}")
    assert said in head and "2020-05-24" not in head
    note = next(line for line in weekly_layout.notes(weekly.build(week, today=wednesday)) if "2020-05" in line)
    assert "2020-05-20" in note and "2020-05-24" not in note


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("made", [D(2020, 5, 24), D(2020, 5, 25), D(2021, 1, 4)], ids=["sunday", "monday", "later"])
def test_a_week_over_is_as_of_the_end_of_its_sunday_as_before(demo_ledger, tmp_path, fmt, made):
    week = weekly.resolve_week("2020-W21")
    table = weekly.stream(week, today=made)
    said = weekly_layout.as_of_text(table)
    assert "2020-05-24" in said and made.isoformat() in said
    assert said in _written(table, fmt, tmp_path / f"w.{fmt}")
