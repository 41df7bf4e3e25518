"""`crm log`: the audit trail names fields as the forms do and shows amounts in 亿/万 with their currency."""


def test_the_log_shows_field_labels_and_amounts_as_the_app_does(demo_url, run_cli):
    code, _out, err = run_cli("--db", demo_url, "--lang", "zh", "edit", "ZS2020-0003", "--amount", "40亿元")
    assert code == 0, err
    code, out, err = run_cli("--db", demo_url, "--lang", "zh", "log", "ZS2020-0003")
    assert code == 0, err
    assert "投资额" in out and "80亿元" in out and "40亿元" in out
    assert "提出问题" in out and "阶段" in out and "创建" in out
    for raw in ("amount", "raised", "created", "stage", "8000000000", "4000000000"):
        assert raw not in out, raw
    code, out, err = run_cli("--db", demo_url, "--lang", "en", "log", "ZS2020-0001")
    assert code == 0, err
    assert "Created" in out and "created " not in out


def test_the_json_log_keeps_the_recorded_values(demo_url, run_cli):
    import json

    run_cli("--db", demo_url, "edit", "ZS2020-0003", "--amount", "40亿元")
    code, out, err = run_cli("--db", demo_url, "log", "ZS2020-0003", "--format", "json")
    amounts = [e for e in json.loads(out) if e["field"] == "amount"]
    assert amounts and amounts[-1]["new"].startswith("4000000000")


def test_tags_plans_and_investment_are_named_in_chinese(demo_url, run_cli, tmp_path):
    """Fields the trail once showed as recorded ("tag", "plan 2026", "done 2026-03 voided") and their amounts."""
    for args in (
        ["tag", "ZS2020-0009", "市重点"],
        ["plan", "ZS2020-0009", "2026", "3亿"],
        ["invest", "ZS2020-0009", "5000万", "--month", "2026-03"],
        ["invest", "void", "ZS2020-0009", "--month", "2026-03", "--note", "录错了"],
    ):
        code, _out, err = run_cli("--db", demo_url, *args)
        assert code == 0, err
    code, out, err = run_cli("--db", demo_url, "--lang", "zh", "log", "ZS2020-0009")
    assert code == 0, err
    assert "标签" in out and "2026年计划投资" in out and "3亿元" in out
    assert "2026-03 完成投资（作废）" in out and "5000万元" in out
    for raw in (" tag ", "plan 2026", "done 2026", "300000000", "CNY"):
        assert raw not in out, raw
