"""`crm import`'s report names fields as a user types them in --map (issue #12 item 1): the Chinese field name,
never the internal key (name, investor …), and the --map it suggests for an unused column works as printed."""

import re

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
    suggestion = re.search(r"--map (\S+)\)", out)
    assert suggestion and suggestion.group(1) == "合作伙伴=投资方", out

    code, out, err = run_cli("--db", db_url, "import", sheet, "--map", suggestion.group(1))
    assert code == 0, err
    assert Deal.get(Deal.name == "定兴冷链仓储项目").investor == "某冷链集团"
