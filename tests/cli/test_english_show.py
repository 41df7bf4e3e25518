"""`crm show --lang en` speaks English in every label and header: the CNY column said 亿元, the investment table
Plan (亿元). The deal's own data (its name, region, progress) stays as written."""

import re

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_an_english_show_has_no_chinese_label(demo_ledger, demo_url, run_cli):
    code, out, err = run_cli("--db", demo_url, "--lang", "en", "plan", "ZS2020-0001", "2020", "1亿美元")
    assert code == 0, err
    code, out, err = run_cli("--db", demo_url, "--lang", "en", "show", "ZS2020-0001")
    assert code == 0, err
    labels = [line.split("  ")[0] for line in out.splitlines() if line.strip()]
    headers = [line for line in out.splitlines() if line.startswith(("Year", "No."))]
    assert "100m CNY" in out and headers, out
    assert not [text for text in labels + headers if CJK.search(text)], out


def test_an_english_show_lists_supporting_departments_and_tags_with_commas(ledger, db_url, run_cli):
    for name in ("财政局", "商务局"):
        assert run_cli("--db", db_url, "department", "add", name)[0] == 0
    code, out, err = run_cli(
        "--db", db_url, "add", "--name", "满城纸业项目", "--amount", "5亿元", "--supporting", "财政局", "商务局"
    )
    assert code == 0, err
    deal = out.strip().split()[-1]
    assert run_cli("--db", db_url, "tag", deal, "重点", "外资")[0] == 0
    code, out, err = run_cli("--db", db_url, "--lang", "en", "show", deal)
    assert code == 0, err
    supporting = re.search(r"^Supporting\s+(.+)$", out, re.M)
    tags = re.search(r"^Tags: (.+)$", out, re.M)
    assert supporting and sorted(supporting.group(1).split(", ")) == sorted(["财政局", "商务局"]), out
    assert tags and sorted(tags.group(1).split(", ")) == sorted(["重点", "外资"]), out
    code, out, err = run_cli("--db", db_url, "show", deal)
    # the same lists in Chinese, joined with 、
    assert supporting.group(1).replace(", ", "、") in out and tags.group(1).replace(", ", "、") in out, out
