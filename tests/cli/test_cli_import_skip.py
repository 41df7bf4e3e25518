"""`crm import FILE --skip 7,12`: the rows of the sheet left out, by its own row numbers, as the TUI's 跳过的行 takes
them; a bad list is one line and nothing written; `crm import --help` names every format read. On SQLite and
PostgreSQL."""

import re

import pytest

from db.connection import open_database
from db.models import Deal


def _csv(path):
    """Header in row 1: the deals are rows 2–5; row 4's amount cannot be read."""
    path.write_text(
        "序号,项目名称,总投资（万元）,签约时间\n"
        "1,跳行甲项目,1000,2020-05-18\n"
        "2,跳行乙项目,2000,2020-05-18\n"
        "3,跳行丙项目,不详,2020-05-18\n"
        "4,跳行丁项目,4000,2020-05-18\n",
        encoding="utf-8",
    )
    return path


def _names(url) -> list[str]:
    open_database(url)
    return sorted(d.name for d in Deal.select())


def test_skip_leaves_out_a_refused_row_and_the_report_names_it(ledger, db_url, run_cli, tmp_path):
    path = _csv(tmp_path / "台账.csv")
    code, out, err = run_cli("--db", db_url, "import", path)
    assert code == 2 and "第 4 行" in err and _names(db_url) == [], err  # the row officers would skip
    code, out, err = run_cli("--db", db_url, "--lang", "en", "import", path, "--skip", "4，2")
    assert code == 0, err
    assert re.search(r"rows skipped 2$", out, re.M), out
    assert re.search(r"^Rows skipped as asked \(--skip\): 2, 4$", out, re.M), out
    assert _names(db_url) == ["跳行丁项目", "跳行乙项目"]


def test_a_skip_number_of_no_data_row_is_warned_of(ledger, db_url, run_cli, tmp_path):
    code, out, err = run_cli(
        "--db", db_url, "--lang", "en", "import", _csv(tmp_path / "a.csv"), "--skip", "1", "--skip", "4 40-41"
    )
    assert code == 0, err
    assert re.search(r"^warning: --skip 1, 40–41: no data row of the sheet has this number", out, re.M), out
    assert re.search(r"^Rows skipped as asked \(--skip\): 4$", out, re.M), out
    assert len(_names(db_url)) == 3


@pytest.mark.parametrize("given", ["7,x", "12-7", "1-99999999", "7-"])
def test_a_bad_skip_list_is_one_line_and_nothing_is_written(ledger, db_url, run_cli, tmp_path, given):
    code, out, err = run_cli("--db", db_url, "import", _csv(tmp_path / "a.csv"), "--skip", given)
    assert code == 2 and out == "", (out, err)
    assert len(err.strip().splitlines()) == 1 and err.startswith("crm: --skip") and "Traceback" not in err, err
    assert _names(db_url) == []


def _help(run_cli, capsys, *args) -> str:
    with pytest.raises(SystemExit) as exited:
        run_cli("--lang", "en", *args, "--help")
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_import_help_names_every_format_it_reads(run_cli, capsys):
    out = _help(run_cli, capsys, "import")
    for fmt in ("xlsx", "xls", "et", "ods", "csv"):
        assert re.search(rf"\b{fmt}\b", out.split("positional arguments")[0]), out
    assert "--skip ROWS" in out
    out = _help(run_cli, capsys)
    assert re.search(r"import\s+import a ledger \(xlsx, xls, et, ods or csv\)", out), out
