"""--if-version N, declared once (cli.parsing.if_version) and read once (cli.parsing.version_asked) for every
command that changes one deal, blocker or department: each refuses a number that is no version in one line
and changes nothing, and its help names the record the number guards."""

import pytest

from tests.cli.test_bad_input import CODE, assert_refused, dump

DEPARTMENT = "保定市商务局"  # a demo department
BLOCKER = "7"  # a demo blocker, open

# (record guarded, argv of a change that would be saved without --if-version)
COMMANDS = [
    ("deal", ["edit", CODE, "--notes", "补充说明"]),
    ("blocker", ["blocker", "resolve", BLOCKER, "--note", "已办结"]),
    ("blocker", ["blocker", "edit", BLOCKER, "--text", "施工许可材料待补"]),
    ("blocker", ["blocker", "void", BLOCKER, "--note", "重复录入"]),
    ("department", ["department", "edit", DEPARTMENT, "--contact", "0312-5000099"]),
]
IDS = [" ".join(argv[:2]) for _record, argv in COMMANDS]


@pytest.mark.parametrize("record, argv", COMMANDS, ids=IDS)
@pytest.mark.parametrize("version", ["0", "最新", "-3"])
def test_a_version_that_is_no_whole_number_from_1_is_refused_on_every_command(demo_url, run_cli, record, argv, version):
    before = dump(demo_url)
    err = assert_refused(run_cli("--db", demo_url, *argv, f"--if-version={version}"), version)
    assert "--if-version" in err
    assert dump(demo_url) == before


@pytest.mark.parametrize("record, argv", COMMANDS, ids=IDS)
def test_the_help_of_if_version_names_the_record_it_guards(run_cli, capsys, record, argv):
    command = argv[: 2 if argv[0] in ("blocker", "department") else 1]
    with pytest.raises(SystemExit) as exited:
        run_cli("--lang", "en", *command, "--help")
    assert exited.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"--if-version N refuse if the {record} is no longer at version N" in help_text


def test_a_stale_edit_names_the_record_apart_from_who_changed_it(demo_url, run_cli):
    """项目 ZS2020-0001 已被 测试员 于 …: a space after the code, as after the name (the catalog once ran them on)."""
    import json

    code, out, err = run_cli("--db", demo_url, "show", CODE, "--format", "json")
    version = json.loads(out)["version"]
    assert run_cli("--db", demo_url, "edit", CODE, "--notes", "第一次", "--if-version", version)[0] == 0
    code, out, err = run_cli("--db", demo_url, "edit", CODE, "--notes", "第二次", "--if-version", version)
    assert code == 3 and err.count("\n") == 1, err
    assert f"项目 {CODE} 已被 测试员 于 " in err, err
