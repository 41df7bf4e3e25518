"""`crm import`'s report names fields as a user types them in --map (issue #12 item 1): the Chinese field name,
never the internal key (name, investor …), and the --map it suggests for an unused column works as printed."""

import json
import re
from pathlib import Path

from db.models import Deal

SHEET = "项目名称,合作伙伴,总投资,签约日期\n定兴冷链仓储项目,某冷链集团,3.5亿元,2020-06-01\n"


def test_the_report_names_fields_as_map_takes_them_and_its_suggestion_works(run_cli, ledger, db_url, tmp_path):
    sheet = tmp_path / "一月.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    code, out, err = run_cli("--db", db_url, "import", sheet, "--dry-run")
    assert code == 0, err
    used = next(line for line in out.splitlines() if "项目名称→" in line)
    assert "项目名称→项目名称" in used and "总投资→总投资" in used and "签约日期→签约时间" in used, used
    assert not re.search(r"→[a-z_]+", used), used  # no internal key
    suggestion = re.search(r"--map (\S+)）", out)
    assert suggestion and suggestion.group(1) == "合作伙伴=投资方", out

    code, out, err = run_cli("--db", db_url, "import", sheet, "--map", suggestion.group(1))
    assert code == 0, err
    assert Deal.get(Deal.name == "定兴冷链仓储项目").investor == "某冷链集团"


def test_an_update_of_a_county_sheet_names_its_fields_and_values_as_people_read_them(run_cli, ledger, db_url):
    # two sheets written as county offices write them; the second changes notes, a 约 amount and a stage
    sheets = Path(__file__).resolve().parents[1] / "data" / "county_sheets"
    assert run_cli("--db", db_url, "fx", "set", "USD", "2020-01-01", "7.0")[0] == 0
    assert run_cli("--db", db_url, "import", sheets / "chinese_numerals.xlsx")[0] == 0
    code, out, err = run_cli("--db", db_url, "import", sheets / "usd_total.xlsx")
    assert code == 0, err
    updated = [line for line in out.splitlines() if " — " in line]
    changes = [line for line in out.splitlines() if " → " in line and "→" in line.split("：", 1)[-1]]
    assert updated and any("备注" in line and "约数金额" in line and "阶段" in line for line in updated), out
    assert any("约数金额：是 → 否" in line for line in changes), out
    assert any("阶段：签约 → 注册" in line for line in changes), out
    assert any("备注：∅ → " in line for line in changes), out
    assert not re.search(r"(notes|amount_approximate|stage|True|False|signed|registered)", "\n".join(updated + changes))


def test_a_long_import_lists_its_first_thirty_deals_and_counts_the_rest(run_cli, ledger, db_url, tmp_path):
    sheet = tmp_path / "全年.csv"
    rows = [f"项目{i:03d},某集团{i},{i + 1}亿元,2020-06-01" for i in range(45)]
    sheet.write_text("项目名称,投资方,总投资,签约日期\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run_cli("--db", db_url, "import", sheet)
    assert code == 0, err
    listed = [line for line in out.splitlines() if re.match(r"\s+第 \d+ 行：新增 ZS\d{4}-\d{4} 项目\d{3}$", line)]
    assert len(listed) == 30 and listed[0].endswith("项目000") and listed[-1].endswith("项目029"), out
    assert "另有 15 条" in out, out
    assert Deal.select().count() == 45


def test_a_long_import_lists_its_first_thirty_warnings_and_counts_the_rest(run_cli, ledger, db_url, tmp_path):
    """A county sheet giving every deal's funds as about a figure warns once a row: the text lists thirty, as it lists
    the deals, and says how many more --format json has."""
    sheet = tmp_path / "到位资金.csv"
    about = [f"项目{i:03d},某集团{i},{i + 1}亿元,2020-06-01,约{i + 1}000万元,定兴县" for i in range(35)]
    exact = [f"项目{i:03d},某集团{i},{i + 1}亿元,2020-06-01,{i + 1}000万元,定兴县" for i in range(35, 45)]
    header = "项目名称,投资方,总投资,签约日期,到位资金,所属县区\n"  # a county column: no warning of the sheet's own
    sheet.write_text(header + "\n".join(about + exact) + "\n", encoding="utf-8")
    code, out, err = run_cli("--db", db_url, "import", sheet, "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    warned = [i for i, line in enumerate(lines) if line.startswith("提示：") and "到位资金不是确数" in line]
    assert len(warned) == 30 and "第 2 行" in lines[warned[0]], out
    assert "另有 5 条" in lines[warned[-1] + 1], out  # the deals' list says 另有 15 条
    code, out, err = run_cli("--db", db_url, "import", sheet, "--dry-run", "--format", "json")
    assert code == 0, err
    assert len([w for w in json.loads(out)["warnings"] if w["code"] == "approximate_funds"]) == 35


def test_a_second_funds_column_is_named_as_people_read_it(run_cli, ledger, db_url):
    # a county's monthly funds sheet: 累计到位资金 is read; 本月到位资金 and 资金到位率 also look like funds
    sheet = Path(__file__).resolve().parents[1] / "data" / "county_sheets" / "funds_cumulative_v1.xlsx"
    code, out, err = run_cli("--db", db_url, "import", sheet, "--dry-run")
    assert code == 0, err
    notice = next(line for line in out.splitlines() if "本月到位资金" in line and "也对应" in line)
    assert notice == "列“本月到位资金（万元）”也对应实际到位资金；使用的是列“累计到位资金（万元）”", notice


def test_a_changed_amount_is_shown_in_yi_and_wan_with_the_deals_currency(run_cli, ledger, db_url, tmp_path):
    assert run_cli("--db", db_url, "fx", "set", "USD", "2020-01-01", "7.0")[0] == 0
    sheet = tmp_path / "外资.csv"
    sheet.write_text("项目名称,总投资,签约日期\n光伏组件项目,1.8亿美元,2020-06-01\n储能项目,5000万元,2020-06-01\n")
    assert run_cli("--db", db_url, "import", sheet)[0] == 0
    sheet.write_text("项目名称,总投资,签约日期\n光伏组件项目,2亿美元,2020-06-01\n储能项目,8000万元,2020-06-01\n")
    code, out, err = run_cli("--db", db_url, "import", sheet)
    assert code == 0, err
    assert "投资额：1.8亿美元 → 2亿美元" in out and "投资额：5000万元 → 8000万元" in out, out


def test_a_map_of_a_column_the_sheet_lacks_is_refused_and_fields_are_named_in_chinese(
    ledger, db_url, run_cli, tmp_path
):
    """A --map naming a column the sheet does not have is a typo: refused, nothing written. An unknown field lists
    the fields as the Chinese hints write them (总投资, 签约时间), not their English keys."""
    from tests.ledger.test_import_county import county_xlsx

    path = county_xlsx(tmp_path / "县报.xlsx", note=None)
    code, out, err = run_cli("--db", db_url, "import", str(path), "--map", "不存在的列=备注")
    assert code != 0 and "不存在的列" in err and len(err.strip().splitlines()) == 1, err
    assert run_cli("--db", db_url, "deals", "--format", "json")[1].strip() in ("[]", "")
    code, out, err = run_cli("--db", db_url, "import", str(path), "--map", "总投资=foo")
    assert code != 0 and "总投资、签约时间" in err and "signed_on" not in err, err
