"""The weekly table's row sums (crm.reporting.weekly_sums._RowSums): a batch counted column by column
(add_batch) gives what counting its rows one by one (add) gives — rows, per stage, per currency, the total,
the currencies of approximate amounts and the exchange rates — over several batches, whatever their mix."""

import random

import pytest

from crm.reporting.weekly_sums import _RowSums

STAGES = ["signed", "registered", "construction", "stalled", "negotiating", "operating", "terminated"]


def _batch(rng: random.Random, size: int) -> tuple:
    rows = [
        (
            rng.choice(STAGES[: rng.randint(1, len(STAGES))]),
            rng.randint(0, 10**14),
            rng.choice(["CNY", "CNY", "USD", "EUR", "HKD"]),
            rng.randint(0, 10**14),
            rng.choice([0, 0, 0, 1]),
            rng.choice([None, None, 1, 2, 3]),
        )
        for _ in range(size)
    ]
    return rows, tuple(zip(*rows)) if rows else ((),) * 6


@pytest.mark.parametrize("seed", range(5))
def test_a_batch_counts_as_its_rows_one_by_one(seed):
    rng = random.Random(seed)
    by_batch, by_row = _RowSums(), _RowSums()
    for size in (1, 2000, 37, 0, 500):
        rows, columns = _batch(rng, size)
        by_batch.add_batch(*columns)
        for row in rows:
            by_row.add(*row)
    assert vars(by_batch) == vars(by_row)
    assert by_batch.rows == 2538 and by_batch.total == sum(e[1] for e in by_batch.by_stage.values())
