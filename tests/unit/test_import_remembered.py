"""What an import remembers of its rows (crm/importing/remembered.py) reads back the same in memory and on disk,
and no two keys are confused."""

import datetime
import importlib

import pytest

remembered = importlib.import_module("crm.importing.remembered")
report = importlib.import_module("crm.importing.report")
existing = importlib.import_module("crm.importing.existing")


@pytest.mark.parametrize("spill_at", [0, 3, 1000])
@pytest.mark.parametrize("part", [1, 10_000])  # the entries held moved to disk one by one, or at once
def test_keys_read_back_as_kept(spill_at, part, monkeypatch):
    monkeypatch.setattr(remembered, "_SPILL_PART", part)
    kept = remembered.Remembered(spill_at=spill_at)
    key = ("冷链物流园项目", datetime.date(2020, 5, 18))
    kept.update({key: 4, "ZS2020-0009": [("a", None)], "ZS2020-0010": 7})
    kept.update({"ZS2020-0010": 8, ("冷链物流园项目", None): 9})
    assert kept.on_disk == (spill_at < 4)
    assert kept.lookup([key, "ZS2020-0009", "ZS2020-0010", ("冷链物流园项目", None), "ZS2020-0011"]) == {
        key: 4,
        "ZS2020-0009": [("a", None)],
        "ZS2020-0010": 8,
        ("冷链物流园项目", None): 9,
    }


def test_keys_alike_but_for_their_type_are_not_confused():
    kept = remembered.Remembered(spill_at=0)
    kept.update({"1": 1, ("1",): 2, ("1", None): 3, "x": "text", "y": b"bytes", "z": None})
    kept.update({"1": 7})
    assert kept.lookup(["1", ("1",), ("1", None), "x", "y", "z", 1, ("1", "None")]) == {
        "1": 7,
        ("1",): 2,
        ("1", None): 3,
        "x": "text",
        "y": b"bytes",
        "z": None,
    }


@pytest.mark.parametrize("spill_at", [0, 1000])
def test_deals_created_read_back_as_made(spill_at):
    """What a first import keeps of the deals it created reads back equal, on disk as in memory."""
    made = [
        existing.Made("ZS2020-0001", datetime.date(2020, 5, 18), None, None),
        existing.Made("ZS2020-0002", None, 3, "中国·廊坊国际经济贸易洽谈会"),
        existing.Made("ZS2020-0003", datetime.date(1999, 12, 31), 0, ""),
        existing.Made("ZS2020-\x1f0004", None, None, "a\x1fb"),  # the separator: kept another way
    ]
    kept = remembered.Remembered(spill_at=spill_at, pack=existing._packed, unpack=existing._unpacked)
    values = {f"第{n}号项目": m for n, m in enumerate(made)}
    values["两个项目"] = made[:2]
    kept.update(values)
    got = kept.lookup([*values, "没有"])
    assert got == values
    assert all(type(v) is existing.Made for k, v in got.items() if k != "两个项目")


def test_a_report_list_spilled_to_disk_reads_as_the_list(monkeypatch):
    monkeypatch.setattr(report, "KEPT", 3)
    monkeypatch.setattr(report, "_WRITE_AT", 2)
    items = [(n, f"ZS2020-{n:04d}", f"第{n}号项目") for n in range(1, 12)]
    spilled = report.Spilled(items)
    assert len(spilled) == 11 and list(spilled) == items and spilled == items
    assert spilled[:2] == items[:2] and spilled[4:7] == items[4:7] and spilled[-1] == items[-1]
    assert [a[0] + b[0] for a in spilled for b in spilled] == [a[0] + b[0] for a in items for b in items]
    more = [(n, f"ZS2020-{n:04d}", None) for n in range(12, 20)]
    for item in more:  # written after the reads above moved the file's position
        spilled.append(item)
    assert list(spilled) == items + more and spilled[15] == more[4]
