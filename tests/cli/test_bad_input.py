"""The catalogue of bad input, each through the command line, on SQLite and PostgreSQL.

Every case: exit code 2, exactly one line on stderr that names the value
(or, for text that is too long, its length), no traceback, nothing on the
terminal that could drive it (ESC, BEL …), and the database exactly as it
was (every row of every table compared before and after).
"""

import sqlite3
import zipfile

import pytest

from db.models import MODELS

CODE = "ZS2020-0001"  # a demo deal
LONG = "长" * 5000
ESC = "\x1b[2J\x1b]0;pwned\x07"

# (name, argv after --db URL, text the message must contain)
CASES = [
    # amounts: malformed and absurd
    ("negative amount", ["add", "--name", "项目", "--amount", "-5亿元"], "-5亿元"),
    ("negative amount, = form", ["add", "--name", "项目", "--amount=-5亿元"], "-5亿元"),
    ("zero amount", ["add", "--name", "项目", "--amount", "0元"], "0元"),
    ("10^20 yuan", ["add", "--name", "项目", "--amount", "100000000000000000000元"], "100000000000000000000元"),
    ("亿亿", ["add", "--name", "项目", "--amount", "1.8亿亿"], "1.8亿亿"),
    ("letters", ["add", "--name", "项目", "--amount", "abc"], "abc"),
    ("Chinese numerals doubled", ["edit", CODE, "--amount", "二十五亿亿"], "二十五亿亿"),
    ("fractions of a fen", ["edit", CODE, "--amount", "12.345元"], "12.345元"),
    ("NaN", ["edit", CODE, "--amount", "NaN"], "NaN"),
    ("two currencies", ["edit", CODE, "--amount", "25亿美元人民币"], "25亿美元人民币"),
    ("negative funds", ["funds", CODE, "-5万"], "-5万"),
    ("zero funds", ["funds", CODE, "0万元"], "0万元"),
    ("absurd funds", ["funds", CODE, "1万亿亿"], "1万亿亿"),
    ("negative rate", ["fx", "set", "USD", "2020-01-01", "-7"], "-7"),
    ("letters for a rate", ["fx", "set", "USD", "2020-01-01", "七"], "七"),
    ("unknown currency", ["fx", "set", "XYZ", "2020-01-01", "7"], "XYZ"),
    ("floor area", ["edit", CODE, "--floor-area", "很大"], "很大"),
    # impossible dates
    ("30 February", ["stage", CODE, "stalled", "--note", "测试", "--on", "2020-02-30"], "2020-02-30"),
    ("five-digit year", ["stage", CODE, "stalled", "--note", "测试", "--on", "20200"], "20200"),
    ("BC", ["stage", CODE, "stalled", "--note", "测试", "--on", "公元前221年"], "公元前221年"),
    ("month 13", ["add", "--name", "项目", "--amount", "1亿元", "--signed", "2020-13-01"], "2020-13-01"),
    ("year 9999", ["edit", CODE, "--signed", "9999-12-31"], "9999-12-31"),
    (
        "30 February in Chinese",
        ["blocker", "add", CODE, "问题", "--department", "发展和改革", "--due", "2021年2月30日"],
        "2021年2月30日",
    ),
    ("a date for a week", ["funds", CODE, "1万", "--on", "第21周"], "第21周"),
    # unknown stages, departments, events, codes
    ("unknown stage", ["stage", CODE, "flying"], "flying"),
    ("unknown stage in a filter", ["deals", "--stage", "起飞"], "起飞"),
    ("unknown initial stage", ["add", "--name", "项目", "--amount", "1亿元", "--stage", "开工了"], "开工了"),
    ("unknown code", ["stage", "ZS9999-0001", "signed"], "ZS9999-0001"),
    ("unknown code to show", ["show", "ZS9999-0001"], "ZS9999-0001"),
    ("unknown code to edit", ["edit", "ZS9999-0001", "--notes", "x"], "ZS9999-0001"),
    ("unknown code for funds", ["funds", "ZS9999-0001", "1万"], "ZS9999-0001"),
    ("unknown code for the log", ["log", "ZS9999-0001"], "ZS9999-0001"),
    ("unknown department", ["blocker", "add", CODE, "问题", "--department", "不存在的局"], "不存在的局"),
    ("unknown lead unit", ["add", "--name", "项目", "--amount", "1亿元", "--lead-unit", "不存在的局"], "不存在的局"),
    ("unknown supporting", ["edit", CODE, "--supporting", "不存在的局"], "不存在的局"),
    ("unknown department to edit", ["department", "edit", "不存在的局", "--contact", "1"], "不存在的局"),
    ("unknown event", ["add", "--name", "项目", "--amount", "1亿元", "--event", "不存在的洽谈会"], "不存在的洽谈会"),
    ("unknown blocker", ["blocker", "resolve", "99999"], "99999"),
    ("blocker not a number", ["blocker", "resolve", "第一个"], "第一个"),
    ("unknown approval", ["edit", CODE, "--approval", "批准"], "批准"),
    ("unknown department kind", ["department", "add", "新局", "--kind", "ministry"], "ministry"),
    ("version not a number", ["edit", CODE, "--notes", "x", "--if-version", "最新"], "最新"),
    # overlong and control-character text
    ("overlong name", ["add", "--name", LONG, "--amount", "1亿元"], "5000"),
    ("overlong notes", ["edit", CODE, "--notes", "注" * 4001], "4001"),
    ("overlong note", ["stage", CODE, "stalled", "--note", "注" * 2001], "2001"),
    ("overlong department", ["department", "add", "局" * 101], "101"),
    ("overlong event", ["event", "add", "会" * 201], "201"),
    ("escape in a name", ["add", "--name", f"项目{ESC}", "--amount", "1亿元"], "U+001B"),
    ("newline in a name", ["edit", CODE, "--name", "项目\n第二行"], "U+000A"),
    ("bell in a note", ["stage", CODE, "stalled", "--note", "暂停\x07"], "U+0007"),
    ("bidi override in a department", ["department", "add", "局\u202e名"], "U+202E"),
    ("escape in a blocker", ["blocker", "add", CODE, f"问题{ESC}", "--department", "发展和改革"], "U+001B"),
    ("escape in an amount", ["edit", CODE, "--amount", f"25亿{ESC}"], "25亿"),
    ("escape in a date", ["funds", CODE, "1万", "--on", f"2020-05-18{ESC}"], "2020-05-18"),
    ("escape in a code", ["show", f"ZS{ESC}"], "ZS"),
]


def dump(url) -> dict:
    """Every row of every ledger table, in id order."""
    from db.connection import open_database
    from db.models import database

    db = open_database(url, migrate_schema=False)
    try:
        return {m._meta.table_name: list(m.select().order_by(m._meta.primary_key).tuples()) for m in MODELS}
    finally:
        db.close()
        database.initialize(None)


def assert_refused(result, names):
    code, out, err = result
    assert code == 2, (code, out, err)
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    assert names in err, err
    assert "Traceback" not in err and "\x1b" not in err and "\x07" not in err
    return err


@pytest.mark.parametrize("name, args, names", CASES, ids=[c[0] for c in CASES])
def test_bad_values_are_refused_in_one_line_and_change_nothing(demo_url, run_cli, name, args, names):
    before = dump(demo_url)
    assert_refused(run_cli("--db", demo_url, *args), names)
    assert dump(demo_url) == before


@pytest.mark.parametrize(
    "args, said",
    [
        (["progress", CODE], "crm: progress: 缺少必需的参数：内容\n"),
        (["blocker", "add", CODE, "问题"], "crm: blocker add: 缺少必需的参数：--department\n"),
        (["funds", CODE, "--amount", "5万"], "crm: 无法识别的参数：--amount\n"),
    ],
)
def test_a_usage_mistake_names_the_command_once(demo_url, run_cli, args, said):
    """argparse's own errors read as the others do: "crm: " once, then the subcommand where there is one."""
    assert assert_refused(run_cli("--db", demo_url, *args), "") == said


# ---- files to import ------------------------------------------------------------


def _files(tmp_path):
    fake = tmp_path / "台账.xlsx"
    fake.write_bytes(b"this is a text file with an xlsx name\n" * 20)
    good = tmp_path / "good.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["项目名称", "签约日期", "总投资", "阶段"])
    for i in range(200):
        wb.active.append([f"截断测试项目{i}", "2020-05-18", "25亿元", "开工"])
    wb.save(good)
    truncated = tmp_path / "截断.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    zipped = tmp_path / "not-a-workbook.xlsx"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "a zip, but no workbook inside")
    utf16 = tmp_path / "编码.csv"
    utf16.write_bytes("项目名称,投资额\n测试项目,1亿元\n".encode("utf-16-le"))  # no BOM: no way to tell
    binary = tmp_path / "random.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    return {
        "not a spreadsheet": fake,
        "truncated xlsx": truncated,
        "zip without a workbook": zipped,
        "CSV in an unknown encoding": utf16,
        "binary CSV": binary,
        "missing file": tmp_path / "没有.xlsx",
        "a folder": tmp_path,
    }


def test_files_that_cannot_be_imported_are_refused_and_change_nothing(demo_url, run_cli, tmp_path):
    before = dump(demo_url)
    for what, path in _files(tmp_path).items():
        assert_refused(run_cli("--db", demo_url, "import", path), str(path.name))
        assert dump(demo_url) == before, what


# ---- databases ---------------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path, run_cli):
    path = tmp_path / "ledger.sqlite3"
    content = "这不是数据库,是一份会议纪要。\n".encode() * 200
    path.write_bytes(content)
    assert_refused(run_cli("--db", path, "deals"), str(path))
    assert_refused(run_cli("--db", path, "add", "--name", "项目", "--amount", "1亿元"), str(path))
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.sqlite3"]  # no -wal, no -shm, no journal


def test_another_programs_sqlite_database_is_not_turned_into_a_ledger(tmp_path, run_cli):
    path = tmp_path / "contacts.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contact (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contact VALUES ('张三', '0312-5000001')")
    conn.commit()
    conn.close()
    content = path.read_bytes()
    assert_refused(run_cli("--db", path, "deals"), str(path))
    assert_refused(run_cli("--db", path, "init"), str(path))
    assert path.read_bytes() == content


def test_a_directory_or_an_unknown_url_is_refused(tmp_path, run_cli):
    assert_refused(run_cli("--db", tmp_path, "deals"), str(tmp_path))
    assert_refused(run_cli("--db", "mysql://user@host/ledger", "deals"), "mysql://user@host/ledger")
    assert_refused(run_cli("--db", "sqlite://ledger", "deals"), "sqlite://ledger")


def test_a_database_with_a_newer_schema_is_refused_and_left_alone(demo_url, run_cli, tmp_path):
    from db.connection import open_database
    from db.models import database

    db = open_database(demo_url)
    db.execute_sql("INSERT INTO schema_migration (name, applied) VALUES ('9999_from_the_future', '2030-01-01')")
    db.close()
    database.initialize(None)
    before = dump(demo_url)
    for args in (["deals"], ["init"], ["stage", CODE, "stalled", "--note", "x"], ["backup", tmp_path / "b"]):
        assert_refused(run_cli("--db", demo_url, *args), "9999_from_the_future")
    assert dump(demo_url) == before
