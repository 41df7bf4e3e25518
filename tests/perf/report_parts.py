"""Where an as-of report spends its time: each part of crm.reporting.asof and the lights, timed in-process.

    python -m tests.perf.report_parts LEDGER [DAY]

Prints wall and CPU seconds of each part for the whole ledger and per region (CPU time is what the part costs
on a machine shared with other work; wall time includes waiting for a core). BENCHMARKS.md quotes it.
"""

from __future__ import annotations

import datetime
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__)
        return 2
    from crm.listing.filters import DealFilter
    from crm.reporting import asof, kept_plans, lights
    from db.connection import open_database
    from db.models import Deal

    open_database(args[0])
    day = datetime.date.fromisoformat(args[1]) if len(args) > 1 else datetime.date.today()
    cohort = DealFilter()
    condition = cohort.condition()
    parts = []
    for key, name in ((None, "whole ledger"), (Deal.region, "per region")):
        parts += [
            (f"{name}: deals by stage (kept days)", lambda key=key: asof.dated_stage_rows(cohort, day, key)),
            (
                f"{name}: plan classes (kept plan counts when kept)",
                lambda key=key: (
                    kept_plans.plan_figures(cohort, day, key is not None)
                    if kept_plans.answers(cohort)
                    else asof._plan_groups(condition, day, key)
                ),
            ),
            (
                f"{name}: funds and blockers (kept days)",
                lambda key=key: asof._kept_funds_and_blockers({}, cohort, day, key, asof._same),
            ),
            (f"{name}: completed investment", lambda key=key: asof._sum_investment({}, condition, day, key)),
            (f"{name}: lights", lambda key=key: lights.counts(cohort, day, key)),
        ]
    parts.append(("whole ledger: rates used", lambda: asof.rates_used(cohort, [day])))
    print(f"day {day}, load average {os.getloadavg()[0]:.2f}")
    for name, part in parts:
        wall, cpu = time.perf_counter(), time.process_time()
        part()
        print(f"{name}: {time.perf_counter() - wall:.3f} s wall, {time.process_time() - cpu:.3f} s CPU", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
