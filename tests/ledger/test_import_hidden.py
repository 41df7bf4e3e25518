"""`crm import` of sheets with hidden columns and rows, a rate column beside the amounts, and a two-row header
whose lower row names columns the upper leaves blank.

A hidden column is what the sheet's owner put away (总投资 before an adjustment, last week's progress): a visible
column giving the same field wins over it, and the report says which were left out; a hidden column alone for its
field is read, with a notice. A hidden row (a voided duplicate, a county filtered away) is not imported, and the
report names it. A rate (到位率 10%) is never an amount. Each test checks what lands, cell by cell, on SQLite and
PostgreSQL."""

import csv
import datetime
from decimal import Decimal

from openpyxl import Workbook

from db.models import FundsArrived
from tests.ledger.test_import_cell_words import _deals, _import

D = datetime.date


def _sheet(path, rows, hidden_columns=(), hidden_rows=(), merged=()):
    wb = Workbook()
    ws = wb.active
    ws.title = "周报"
    for row in rows:
        ws.append(row)
    for letter in hidden_columns:
        ws.column_dimensions[letter].hidden = True
    for number in hidden_rows:
        ws.row_dimensions[number].hidden = True
    for ref in merged:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def _unused(report) -> list:
    return [c["column"] for c in report["unused_columns"]]


def _weekly(tmp_path):
    """The tester's sheet Q: hidden 总投资（调整前） left of the visible 总投资（调整后）, hidden 上周进展 left of 本周进展."""
    return _sheet(
        tmp_path / "周报.xlsx",
        [
            [
                "序号",
                "项目名称",
                "投资方",
                "总投资（调整前）（万元）",
                "总投资（调整后）（万元）",
                "签约时间",
                "上周进展",
                "本周进展",
            ],
            [1, "蠡县皮毛加工项目", "蠡县皮毛公司", 5000, 8000, "2020-06-01", "洽谈中", "已签约，正在办理注册"],
            [2, "蠡县麻纺项目", "蠡县麻纺公司", 3000, 2000, "2020-06-02", "已签约", "已开工建设"],
        ],
        hidden_columns="DG",
    )


def test_a_visible_column_wins_over_a_hidden_one_and_the_hidden_are_named(ledger, db_url, run_cli, tmp_path):
    code, report, err = _import(run_cli, db_url, _weekly(tmp_path))
    assert code == 0, err
    deals = _deals(db_url)
    assert {n: (d.amount, d.stage) for n, d in deals.items()} == {
        "蠡县皮毛加工项目": (Decimal("80000000.00"), "signed"),
        "蠡县麻纺项目": (Decimal("20000000.00"), "construction"),
    }
    assert report["columns"]["amount"] == "总投资（调整后）（万元）"
    assert "stage" not in report["columns"]
    assert {"总投资（调整前）（万元）", "上周进展"} <= set(_unused(report))
    hidden = [n for n in report["notices"] if "总投资（调整前）（万元）" in n or "上周进展" in n]
    assert len(hidden) == 2, report["notices"]
    assert any("总投资（调整后）（万元）" in n for n in hidden) and any("本周进展" in n for n in hidden)
    # the old "the first such column is used" is not said of a hidden column left out
    assert not [n for n in report["notices"] if "first such column" in n or "第一个" in n], report["notices"]


def test_the_hidden_column_is_used_when_mapped(ledger, db_url, run_cli, tmp_path):
    """The notice's --map brings the hidden column back: the user's word wins over visibility."""
    code, _report, err = _import(run_cli, db_url, _weekly(tmp_path), "--map", "总投资（调整前）（万元）=总投资")
    assert code == 0, err
    amounts = {n: d.amount for n, d in _deals(db_url).items()}
    assert amounts == {"蠡县皮毛加工项目": Decimal("50000000.00"), "蠡县麻纺项目": Decimal("30000000.00")}


def test_a_hidden_column_alone_for_its_field_is_read_with_a_notice(ledger, db_url, run_cli, tmp_path):
    path = _sheet(
        tmp_path / "台账.xlsx",
        [
            ["项目名称", "投资方", "总投资（万元）", "签约时间"],
            ["定兴食品项目", "定兴食品公司", 1200, "2020-05-06"],
        ],
        hidden_columns="C",
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert _deals(db_url)["定兴食品项目"].amount == Decimal("12000000.00")
    assert [n for n in report["notices"] if "总投资（万元）" in n], report["notices"]


def test_hidden_rows_are_left_out_and_named(ledger, db_url, run_cli, tmp_path):
    """The tester's sheet C: row 4, a voided duplicate hidden by the county, is not imported; the report names it."""
    path = _sheet(
        tmp_path / "清苑区.xlsx",
        [
            ["清苑区2020年招商项目台账"],
            ["项目名称", "投资方", "总投资（万元）", "签约日期", "项目状态", "备注"],
            ["清苑食品加工项目", "丰益国际", 1500, "2020年9月10日", "已签约", None],
            ["清苑作废重复项目", "某公司", 200, "2020年9月1日", "已签约", "重复录入，已作废"],
            ["清苑光伏组件项目", "晶澳太阳能", 1200, "2020/9/12", "已投产", None],
            [None, "无名行", 5],
        ],
        hidden_rows=(4, 6),
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    deals = _deals(db_url)
    assert sorted(deals) == ["清苑光伏组件项目", "清苑食品加工项目"]
    assert deals["清苑光伏组件项目"].amount == Decimal("12000000.00")
    assert [c["row"] for c in report["created"]] == [3, 5]
    named = [n for n in report["notices"] if "清苑作废重复项目" in n]
    assert len(named) == 1 and "4" in named[0] and "6" in named[0], report["notices"]


def test_hidden_rows_of_a_sheet_read_in_slices(ledger, db_url, run_cli, tmp_path, monkeypatch):
    """A large sheet is read a slice of rows at a time (crm.importing.xlsx_slices): its hidden rows are left out
    in every slice, and its hidden columns known before its first row."""
    from crm.importing import xlsx_slices

    monkeypatch.setattr(xlsx_slices, "SLICE_AT", 0)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 512)
    monkeypatch.setattr(xlsx_slices, "HEAD_ROWS", 4)
    rows = [["项目名称", "旧总投资（万元）", "总投资（万元）", "签约时间"]]
    rows += [[f"满城第{i}号项目", 1, 100 + i, "2020-05-06"] for i in range(1, 41)]
    path = _sheet(tmp_path / "满城.xlsx", rows, hidden_columns="B", hidden_rows=(5, 30, 41))
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    deals = _deals(db_url)
    hidden = {"满城第4号项目", "满城第29号项目", "满城第40号项目"}
    assert set(deals) == {f"满城第{i}号项目" for i in range(1, 41)} - hidden
    assert deals["满城第39号项目"].amount == Decimal("1390000.00")
    assert all(name in " ".join(report["notices"]) for name in hidden), report["notices"]


def test_hidden_rows_and_columns_of_a_sheet_read_by_openpyxl(ledger, db_url, run_cli, tmp_path, monkeypatch):
    """A sheet whose cells reach too far for calamine is read with openpyxl: hidden rows and columns the same."""
    from crm.importing import workbook

    monkeypatch.setattr(workbook, "MAX_CELLS", 1)
    path = _sheet(
        tmp_path / "徐水.xlsx",
        [
            ["项目名称", "旧总投资（万元）", "总投资（万元）", "签约时间"],
            ["徐水甲项目", 1, 300, "2020-05-06"],
            ["徐水乙项目", 2, 400, "2020-05-07"],
        ],
        hidden_columns="B",
        hidden_rows=(3,),
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert {n: d.amount for n, d in _deals(db_url).items()} == {"徐水甲项目": Decimal("3000000.00")}
    assert [n for n in report["notices"] if "徐水乙项目" in n], report["notices"]


def test_a_rate_column_is_never_an_amount(ledger, db_url, run_cli, tmp_path):
    """The tester's sheet D: 到位率 (10%) beside the amounts was taken as funds arrived and refused every row."""
    path = tmp_path / "安新.csv"
    with open(path, "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(
            [
                ["序号", "项目名称", "投资方", "总投资(万元)", "签约时间", "资金到位率", "到位率", "投资占比"],
                ["1", "安新文旅项目", "雄安文旅集团", "1,200", "2020-12-28", "10%", "10%", "30%"],
                ["2", "安新鞋业项目", "安新制鞋协会", "850", "2020-12-29", "0%", "0%", "20%"],
            ]
        )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert {n: d.amount for n, d in _deals(db_url).items()} == {
        "安新文旅项目": Decimal("12000000.00"),
        "安新鞋业项目": Decimal("8500000.00"),
    }
    assert FundsArrived.select().count() == 0
    assert "funds" not in report["columns"] and report["columns"]["amount"] == "总投资(万元)"
    unused = {c["column"]: c["guess"] for c in report["unused_columns"]}
    assert {"资金到位率", "到位率", "投资占比"} <= set(unused)
    assert not {unused[c] for c in ("资金到位率", "到位率", "投资占比")} & {"amount", "funds", "amount_cny"}


def test_a_two_row_headers_lower_labels_are_listed_when_unused(ledger, db_url, run_cli, tmp_path):
    """The tester's sheet H: 建设内容 and 注册地 sit under merged group headers (项目, 签约企业)."""
    path = _sheet(
        tmp_path / "高碑店.xlsx",
        [
            ["高碑店市2020年签约项目明细表"],
            ["序号", "项目", None, None, "签约企业", None, "阶段"],
            [None, "名称", "建设内容", "总投资（亿元）", "名称", "注册地", None],
            [1, "高碑店物流园", "建设冷库10万吨", 30, "北京新发地", "北京丰台", "已签约"],
            [2, "高碑店箱包项目", "箱包生产线", 0.5, "白沟箱包协会", "河北保定", "已开工"],
        ],
        merged=("B2:D2", "E2:F2", "A2:A3", "G2:G3"),
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert {"建设内容", "注册地"} <= set(_unused(report))
    deals = _deals(db_url)
    assert {n: (d.amount, d.stage) for n, d in deals.items()} == {
        "高碑店物流园": (Decimal("3000000000.00"), "signed"),
        "高碑店箱包项目": (Decimal("50000000.00"), "construction"),
    }
