"""The audit trail and the import preview name every field a person can change by its label and show a yes/no
field as 是/否 (yes/no): no internal name (planned_start_month) and no Python boolean (False → True) reaches
`crm log`, the Detail's 修改记录 (the same crm.deals.trail functions) or `crm import --dry-run`."""

from crm.deals.records import edit_deal
from crm.deals.trail import deal_trail, field_label, shown_value
from crm.foundation.i18n import set_language

CODE = "ZS2020-0010"  # demo: 3000万美元, signed 2020-09-08 at 京津冀产业协同发展(保定)线上对接会
EVERY_FIELD = {
    "name": "半导体封装测试项目（一期）",
    "investor": "某半导体集团(示例)",
    "amount": "约3000万美元",
    "signed_on": "2020年9月",
    "event": "京津冀产业协同发展(保定)对接会",
    "region": "清苑区",
    "industry": "新材料",
    "sub_industry": "石墨烯",
    "approval": "核准",
    "liaison": "王建军",
    "lead_unit": "保定市商务局",
    "planned_start": "2021年3月",
    "planned_completion": "2022-06-30",
    "floor_area": "2万平方米",
    "responsibility_plan": "市商务局牵头，每月调度",
    "notes": "按月份录入的计划",
}


def test_every_field_an_edit_changes_is_named_and_shown_as_people_read_it(demo_ledger):
    edit_deal(CODE, EVERY_FIELD)
    edit_deal(CODE, {"planned_start": "2021-03-15", "signed_on": "2020-09-08", "amount": "3000万美元"})
    trail = [e for e in deal_trail(CODE) if e["field"] != "created"]
    fields = {e["field"] for e in trail}
    assert {"planned_start_month", "signed_on_month", "amount_approximate"} <= fields
    for lang in ("zh", "en"):
        set_language(lang)
        for e in trail:
            assert field_label(e["field"]) != e["field"], e
            for value in (e["old"], e["new"]):
                assert shown_value(e["field"], value, e["currency"]) not in ("True", "False"), e
    assert shown_value("planned_start_month", "True") == "yes"
    set_language("zh")
    assert (shown_value("planned_start_month", "False"), shown_value("planned_start_month", "True")) == ("否", "是")


def test_crm_log_shows_a_month_only_date_by_label_and_yes_no(demo_url, run_cli):
    assert run_cli("--db", demo_url, "edit", CODE, "--planned-start", "2021年3月")[0] == 0
    code, out, err = run_cli("--db", demo_url, "log", CODE)
    assert code == 0, err
    assert "planned_start_month" not in out and "False" not in out and "True" not in out
    changed = out.splitlines()[-2:]  # the date, then whether it names a month only
    assert changed[0].endswith("2021-03-01") and changed[1].split()[-2:] == ["否", "是"]
    code, out, err = run_cli("--db", demo_url, "--lang", "en", "log", CODE)
    assert "Planned start: month only" in out and "planned_start_month" not in out
    assert "False" not in out and "True" not in out


def test_the_import_preview_names_the_month_only_flag(demo_url, run_cli, tmp_path):
    sheet = tmp_path / "ledger.csv"
    sheet.write_text("项目编号,项目名称,总投资,计划开工时间\nZS2020-0010,半导体封装测试项目,3000万美元,2021年3月\n")
    code, out, err = run_cli("--db", demo_url, "--lang", "en", "import", str(sheet), "--dry-run")
    assert code == 0, err
    assert "Planned start: month only: no → yes" in out
    assert "planned_start_month" not in out and "False" not in out
    code, out, err = run_cli("--db", demo_url, "import", str(sheet), "--dry-run")
    assert "planned_start_month" not in out and "否 → 是" in out
