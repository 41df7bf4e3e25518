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
