"""A 合计 row written with a bound word (超15亿元, 近15亿元, 约15亿元, 15亿余元) is checked against the side of the figure
the word puts the rows on, to the precision written: a total that is true of the rows is not warned about, one that
is not is."""

import json

import pytest

from tests.ledger.test_import_county import county_xlsx


def _mismatch(run_cli, db_url, tmp_path, total: str, second: str) -> bool:
    path = county_xlsx(
        tmp_path / "唐县.xlsx",
        headers=["序号", "项目名称", "投资额", "签约时间"],
        rows=[[1, "唐县甲项目", "8亿元", "2020.9.10"], [2, "唐县乙项目", second, "2020.9.10"], ["合计", "", total]],
        title="唐县2020年签约项目表",
        note=None,
    )
    code, out, err = run_cli("--db", db_url, "import", path, "--dry-run", "--format", "json")
    assert code == 0, err
    return any(w["code"] == "totals_mismatch" for w in json.loads(out)["warnings"])


@pytest.mark.parametrize(
    ("total", "second", "warned"),
    [
        ("15亿余元", "7.3亿元", False),
        ("超15亿元", "7.3亿元", False),
        ("超15亿元", "9亿元", True),  # 17亿 is 17亿元, not a little over 15亿
        ("近15亿元", "6.2亿元", False),  # 14.2亿: under 15亿, within its last digit
        ("近15亿元", "7.6亿元", True),  # 15.6亿 is over 15亿 even rounded to its last digit
        ("15亿元左右", "6.6亿元", False),
        ("约15亿元", "7.9亿元", True),  # 15.9亿 rounds to 16亿
        ("15亿元", "7.4亿元", False),
        ("15亿元", "7.6亿元", True),
    ],
)
def test_a_total_with_a_bound_word_is_checked_on_its_side(ledger, db_url, run_cli, tmp_path, total, second, warned):
    assert _mismatch(run_cli, db_url, tmp_path, total, second) is warned
