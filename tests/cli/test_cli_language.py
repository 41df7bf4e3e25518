"""argparse's own words (its errors, the help's headings) speak the user's language, and the help's columns line
up in terminal cells where options and help are Chinese (two cells a character)."""

import argparse
import re

import pytest
from wcwidth import width

OPTION_LINE = re.compile(r"^  (-\S.*?)\s{2,}(\S.*)$")


@pytest.mark.parametrize(
    "args, chinese, english",
    [
        (["deals", "--stage"], "参数 --stage：需要一个值", "argument --stage: expected one argument"),
        (["deals", "--sort", "foo"], "无效的选择 'foo'（可选：'code'", "invalid choice: 'foo' (choose from 'code'"),
        (["deals", "--bogus"], "无法识别的参数：--bogus", "unrecognized arguments: --bogus"),
    ],
)
def test_argparse_errors_speak_chinese_by_default_and_english_on_request(run_cli, args, chinese, english):
    code, out, err = run_cli(*args)
    assert code == 2 and not out and chinese in err and err.count("\n") == 1
    code, _out, err = run_cli("--lang", "en", *args)
    assert code == 2 and english in err


def _help(run_cli, capsys, *args) -> list[str]:
    with pytest.raises(SystemExit) as exited:
        run_cli(*args, "--help")
    assert exited.value.code == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_help_is_chinese_and_lines_up_in_cells(run_cli, capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    lines = _help(run_cli, capsys, "import")
    assert lines[0].startswith("用法：crm import [-h]")
    assert "选项：" in lines and "  -h, --help            显示本帮助并退出" in lines
    assert max(width(line) for line in lines) <= columns
    # the usage's later lines start under its first option
    usage = lines[: lines.index("")]
    assert len(usage) > 1 and {width(line) - width(line.lstrip()) for line in usage[1:]} == {width("用法：crm import ")}
    # every option's help, the --map 列名=字段 one among them, and the help's later lines start at one column
    options = lines[lines.index("选项：") + 1 :]
    starts = {width(line[: m.start(2)]) for line in options if (m := OPTION_LINE.match(line))}
    later = {width(line) - width(line.lstrip()) for line in options if line.strip() and not line.startswith("  -")}
    assert any("--map 列名=字段" in line for line in options)
    assert len(starts) == 1 and later <= starts


def test_a_chinese_help_breaks_between_characters_not_only_at_spaces(run_cli, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    lines = _help(run_cli, capsys, "import")
    description = lines[lines.index("") + 1 : lines.index("", lines.index("") + 1)]
    # one paragraph filled to the width, not a short line left before the first run without a space
    assert len(description) == 2 and width(description[0]) >= 54
    assert "".join(description).replace(" ", "").startswith("导入招商局台账（xlsx、xls、WPSet、ods或csv）：新项目新增")


def _parsers(parser, name="crm"):
    """(command, parser) of `parser` and every subcommand under it."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for word, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {word}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_argument_of_every_command_says_what_it_is_within_80_columns(monkeypatch, lang):
    from cli.main import build_parser
    from crm.foundation.i18n import set_language

    monkeypatch.setenv("COLUMNS", "80")
    set_language(lang)
    try:
        commands = list(_parsers(build_parser()))
        assert len(commands) > 30
        unexplained = [
            (name, a.dest)
            for name, p in commands
            for a in p._actions
            if a.help is None and not isinstance(a, argparse._SubParsersAction)  # its commands have theirs
        ]
        too_wide = [(name, line) for name, p in commands for line in p.format_help().splitlines() if width(line) > 80]
        # A positional argument shows its name in the usage: a placeholder (名称, DATE), never its code name (name).
        code_names = [
            (name, a.dest)
            for name, p in commands
            for a in p._actions
            if not a.option_strings and a.choices is None and (a.metavar or a.dest).islower()
        ]
    finally:
        set_language("zh")
    assert not unexplained and not too_wide and not code_names, (unexplained, too_wide, code_names)
