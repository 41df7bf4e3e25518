"""`crm show CODE` (the table) prints every field an officer fills, in the deal form's order, under the form's
labels (Chinese by default, English with --lang en); a field left empty reads —. On SQLite and PostgreSQL."""

import re

#: The field table's labels in order: the code, the form's fields (亿元 after the amount), then the rest.
ZH = [
    "编号",
    "项目名称",
    "投资方",
    "投资额",
    "亿元",
    "签约日期",
    "招商活动",
    "县(市、区)",
    "产业",
    "细分产业",
    "审批类型",
    "包联领导",
    "牵头单位",
    "计划开工",
    "计划竣工",
    "建筑面积",
    "责任方案",
    "备注",
    "配合单位",
    "阶段",
    "版本",
]


def _fields(out: str) -> list[tuple[str, str]]:
    """(label, value) of each line of the field table (the part above the stage ledger), the rule skipped."""
    table = out.split("\n\n")[0].splitlines()[2:]
    return [(m.group(1), m.group(2).strip()) for line in table if (m := re.match(r"^(\S+)\s{2,}(.*)$", line))]


def _full_deal(run_cli, db_url) -> str:
    for name in ("定兴县发展和改革局", "定兴县自然资源和规划局"):
        assert run_cli("--db", db_url, "department", "add", name)[0] == 0
    assert run_cli("--db", db_url, "event", "add", "中国·廊坊国际经济贸易洽谈会", "--on", "2020-05-18")[0] == 0
    code, out, err = run_cli(
        "--db", db_url, "add", "--name", "定兴纸业升级项目", "--amount", "5亿元", "--signed", "2020-05-18",
        "--event", "中国·廊坊国际经济贸易洽谈会", "--region", "定兴县", "--industry", "先进制造", "--investor", "河北纸业集团",
        "--supporting", "定兴县自然资源和规划局",
    )  # fmt: skip
    assert code == 0, err
    deal = out.strip().split()[-1]
    code, out, err = run_cli(
        "--db", db_url, "edit", deal, "--sub-industry", "造纸", "--approval", "核准", "--liaison", "王建国",
        "--lead-unit", "定兴县发展和改革局", "--planned-start", "2020年7月", "--planned-completion", "2021-12-31",
        "--floor-area", "8.5万平方米", "--plan", "县发改局牵头，自然资源局配合", "--notes", "外资占比30%",
    )  # fmt: skip
    assert code == 0, err
    return deal


def test_show_prints_every_filled_field_in_the_forms_order(ledger, db_url, run_cli):
    deal = _full_deal(run_cli, db_url)
    code, out, err = run_cli("--db", db_url, "show", deal)
    assert code == 0, err
    fields = _fields(out)
    assert [label for label, _value in fields] == ZH, out
    values = dict(fields)
    assert values["计划开工"] == "2020-07", out  # a month planned reads as the month, not as its 1st
    assert values["计划竣工"] == "2021-12-31"
    assert values["备注"] == "外资占比30%" and values["责任方案"] == "县发改局牵头，自然资源局配合"
    assert values["审批类型"] == "核准" and values["建筑面积"] == "85,000.00 平方米", out
    assert (
        values["细分产业"] == "造纸" and values["包联领导"] == "王建国" and values["招商活动"].startswith("中国·廊坊")
    )
    assert values["牵头单位"] == "定兴县发展和改革局" and values["配合单位"] == "定兴县自然资源和规划局"
    assert "—" not in values.values(), out


def test_show_in_english_labels_the_same_fields_in_english(ledger, db_url, run_cli):
    deal = _full_deal(run_cli, db_url)
    code, out, err = run_cli("--db", db_url, "--lang", "en", "show", deal)
    assert code == 0, err
    values = {}
    for line in out.split("\n\n")[0].splitlines()[2:]:
        label, _sep, value = re.split(r"(\s{2,})", line, maxsplit=1)
        values[label] = value.strip()
    assert values["Planned start"] == "2020-07" and values["Planned completion"] == "2021-12-31", out
    assert values["Approval"] == "Verification" and values["Notes"] == "外资占比30%", out
    assert values["Responsibility plan"] == "县发改局牵头，自然资源局配合", out
    assert values["Floor area"] == "85,000.00 square metres", out


def test_empty_fields_read_as_a_dash_and_are_still_listed(ledger, db_url, run_cli):
    code, out, err = run_cli("--db", db_url, "add", "--name", "空白字段项目", "--amount", "3000万元")
    assert code == 0, err
    deal = out.strip().split()[-1]
    code, out, err = run_cli("--db", db_url, "show", deal)
    assert code == 0, err
    fields = dict(_fields(out))
    assert list(fields) == ZH, out
    for label in ("投资方", "签约日期", "审批类型", "计划开工", "计划竣工", "建筑面积", "责任方案", "备注", "配合单位"):
        assert fields[label] == "—", (label, out)
    assert fields["投资额"] == "3000万元", out
