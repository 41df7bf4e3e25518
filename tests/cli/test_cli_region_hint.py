"""`crm add`, `crm edit` and `crm import` save a region as written and say so on stderr (or in the import's notices)
when neither the national table nor the ledger knows it, with the names it may have meant: a typo (涿洲市) would
otherwise become a row of its own in every report by region."""

from __future__ import annotations

from db.models import Deal

CODE = "ZS2020-0002"  # demo: 中国创投(涿州)总部项目, 涿州市


def test_a_mistyped_county_is_saved_and_the_likely_one_named(run_cli, demo_url):
    code, out, err = run_cli("--db", demo_url, "edit", CODE, "--region", "涿洲市")
    assert code == 0, err
    assert CODE in out
    assert "涿洲市" in err and "涿州市" in err and "Traceback" not in err
    assert Deal.get(Deal.code == CODE).region == "涿洲市"  # a word, never a refusal


def test_a_known_county_or_one_the_ledger_uses_gets_no_word(run_cli, demo_url):
    for region in ("清苑县", "涿州", "保定高新区"):
        code, _out, err = run_cli("--db", demo_url, "edit", CODE, "--region", region)
        assert code == 0 and err == "", (region, err)


def test_a_region_the_ledger_started_using_is_not_questioned_again(run_cli, demo_url):
    assert run_cli("--db", demo_url, "edit", CODE, "--region", "白沟新城")[2] != ""
    code, out, err = run_cli(
        "--db", demo_url, "add", "--name", "白沟箱包城项目", "--amount", "3亿元", "--region", "白沟新城"
    )
    assert code == 0 and out.strip() and err == "", err


def test_a_new_deal_with_an_unknown_region_is_added_with_a_word(run_cli, demo_url):
    code, out, err = run_cli(
        "--db", demo_url, "add", "--name", "测试项目", "--amount", "1亿元", "--region", "保定高薪区"
    )
    assert code == 0, err
    assert "保定高薪区" in err and "保定高新区" in err
    assert Deal.get(Deal.code == out.strip()).region == "保定高薪区"


def test_an_import_names_each_unknown_region_once(run_cli, demo_url, tmp_path):
    sheet = tmp_path / "台账.csv"
    rows = [f"项目{i:03d},某集团{i},{i + 1}亿元,2020-06-01,{'涿洲市' if i % 2 else '涿州市'}" for i in range(40)]
    sheet.write_text("项目名称,投资方,总投资,签约日期,所属县区\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run_cli("--db", demo_url, "import", sheet, "--dry-run")
    assert code == 0, err
    named = [line for line in out.splitlines() if "涿洲市" in line]
    assert len(named) == 1 and "涿州市" in named[0], out
    code, out, err = run_cli("--db", demo_url, "import", sheet)
    assert code == 0, err
    assert Deal.select().where(Deal.region == "涿洲市").count() == 20
    code, out, err = run_cli("--db", demo_url, "import", sheet, "--dry-run")  # the ledger uses it now
    assert code == 0 and "涿洲市" not in out, out
