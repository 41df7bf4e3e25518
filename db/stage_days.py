"""Deal totals by the day their stage began and ended: the kept sums behind the as-of KPIs (migration 0012).

A deal's stage on a day D is exact (crm.reporting.asof.stage_on): its current
stage from `stage_since` on, before that the last ledger entry (by id) dated
on or before D, and no stage before its first entry. Each deal therefore
contributes a step function, kept as rows of differences: +1 deal (with its
amount, CNY amount, converted and approximate flags) of stage S on the day the
deal enters S, −1 on the day it leaves S. Summing the rows dated on or before
D gives every deal's count and sums by its stage on D, as the scan does.

Each difference is kept twice: `grain` 1 on its day, `grain` 0 on the first
day of its month, so a sum up to D reads the month rows before D's month and
the day rows of D's month only. Keys: grain, day, region, stage, currency.
Archived deals contribute nothing (they leave KPIs unless asked for).

The invariant the triggers keep: the table holds the sum, over the deals, of
the contribution computed from the deal's row and its ledger entries as they
stand. Every change to either removes the contribution as it was and adds it
as it is (SQLite: row triggers before and after; PostgreSQL: statement
triggers with transition tables, and a row trigger before a deal's delete).
"""

from __future__ import annotations

TABLE = "deal_stage_days"
KEYS = ("grain", "day", "region", "stage", "currency")
SUMS = ("deals", "amount", "amount_cny", "converted", "approximate")
#: The deal columns a contribution depends on.
COUNTED = ("stage", "stage_since", "currency", "amount", "amount_cny", "amount_approximate", "region", "archived_on")

_COLUMNS = ", ".join(KEYS + SUMS)


def _points(deals: str, entries: str) -> str:
    """(deal, c, s): the days a deal's stage may change and its stage from that day, for the rows of `deals`."""
    return (
        f"SELECT d0.id AS deal, d0.stage_since AS c, d0.stage AS s FROM {deals} d0 WHERE d0.archived_on IS NULL "
        "UNION ALL SELECT x.deal, x.c, (SELECT e2.to_stage FROM "
        f"{entries} e2 WHERE e2.deal_id = x.deal AND e2.effective_on <= x.c ORDER BY e2.id DESC LIMIT 1) "
        f"FROM (SELECT DISTINCT e.deal_id AS deal, e.effective_on AS c FROM {entries} e JOIN {deals} d1 "
        "ON d1.id = e.deal_id WHERE d1.archived_on IS NULL AND e.effective_on < d1.stage_since) x"
    )


def contribution(deals: str, entries: str, sign: str, postgres: bool) -> str:
    """SELECT of the differences (grouped by key) the rows of `deals` contribute, their ledger entries `entries`.

    `deals` and `entries` are relations (a table name or a parenthesised SELECT) with the columns of deal and of
    stage_change; `sign` is '' (add) or '-' (remove).
    """
    month = "date_trunc('month', st.c)::date" if postgres else "date(st.c, 'start of month')"
    converted = "(d.amount_cny IS NOT NULL)::int" if postgres else "(d.amount_cny IS NOT NULL)"
    approx = "d.amount_approximate::int" if postgres else "(CASE WHEN d.amount_approximate THEN 1 ELSE 0 END)"
    one = "(VALUES (1), (-1)) k(k)" if postgres else "(SELECT 1 AS k UNION ALL SELECT -1) k"
    grains = "(VALUES (0), (1)) g(g)" if postgres else "(SELECT 0 AS g UNION ALL SELECT 1) g"
    s = f"{sign}k.k"
    return (
        f"SELECT g.g AS grain, CASE g.g WHEN 0 THEN {month} ELSE st.c END AS day, d.region AS region, "
        "CASE k.k WHEN 1 THEN st.s ELSE st.p END AS stage, d.currency AS currency, "
        f"sum({s}) AS deals, sum({s} * d.amount) AS amount, sum({s} * coalesce(d.amount_cny, 0)) AS amount_cny, "
        f"sum({s} * {converted}) AS converted, sum({s} * {approx}) AS approximate "
        f"FROM (SELECT deal, c, s, lag(s) OVER (PARTITION BY deal ORDER BY c) AS p FROM ({_points(deals, entries)}) "
        f"pts) st JOIN {deals} d ON d.id = st.deal CROSS JOIN {one} CROSS JOIN {grains} "
        "WHERE (k.k = 1 AND (st.p IS NULL OR st.p <> st.s)) OR (k.k = -1 AND st.p IS NOT NULL AND st.p <> st.s) "
        "GROUP BY 1, 2, 3, 4, 5"
    )


def insert(deals: str, entries: str, sign: str, postgres: bool) -> str:
    """INSERT of `contribution` into the kept table (SQLite: adding to the row of each key)."""
    sql = f"INSERT INTO {TABLE} ({_COLUMNS}) {contribution(deals, entries, sign, postgres)}"
    if postgres:
        return sql
    updates = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in SUMS)
    # HAVING true: an upsert's SELECT must end in a clause that cannot be read as part of a join
    return f"{sql} HAVING true ON CONFLICT ({', '.join(KEYS)}) DO UPDATE SET {updates}"


FILL_SQLITE = insert("deal", "stage_change", "", postgres=False)
FILL_POSTGRES = insert("deal", "stage_change", "", postgres=True)


def kept_query(postgres: bool) -> str:
    """The kept rows summed per key, keys whose sums are all 0 left out (for the check against the fill)."""
    sums = ", ".join(f"sum({c})" for c in SUMS)
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in SUMS)
    return f"SELECT {', '.join(KEYS)}, {sums} FROM {TABLE} GROUP BY {', '.join(KEYS)} HAVING {nonzero}"


def computed_query(postgres: bool) -> str:
    """The contributions computed afresh from the deals, in kept_query's shape."""
    nonzero = " OR ".join(f"{c} <> 0" for c in SUMS)
    return f"SELECT * FROM ({contribution('deal', 'stage_change', '', postgres)}) AS computed WHERE {nonzero}"
