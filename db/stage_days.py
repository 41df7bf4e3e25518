"""Deal totals by the day their stage began and ended: the kept sums behind the as-of KPIs (migration 0012),
and the plan figures and late starts by the day they change for a deal (migration 0013, at the end).

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
Archived deals contribute nothing (they leave KPIs unless asked for), nor do
voided blockers (migration 0023): the fills and triggers read BLOCKERS.

The invariant the triggers keep: the table holds the sum, over the deals, of
the contribution computed from the deal's row and its ledger entries as they
stand. Every change to either removes the contribution as it was and adds it
as it is (SQLite: row triggers before and after; PostgreSQL: statement
triggers with transition tables, and a row trigger before a deal's delete).
"""

from __future__ import annotations

from db.kept_later import OWN_IDS

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


# ---- funds and blockers on a day ---------------------------------------------------------------------------

EVENTS_TABLE = "deal_event_days"
EVENT_KEYS = ("grain", "day", "region")
EVENT_SUMS = ("funds_n", "funds_cny", "funds_converted", "raised", "open", "overdue")
#: The deal columns the funds and blockers counted for it depend on.
EVENT_COUNTED = ("stage", "stage_since", "region", "archived_on")
#: A blocker voided as entered by mistake (migration 0023) counts nowhere, as if it were deleted: the condition a
#: blocker must meet to be counted, and the blockers that are, as a relation.
COUNTED_BLOCKER = "voided_at IS NULL"
BLOCKERS = f"(SELECT * FROM blocker WHERE {COUNTED_BLOCKER})"


def _signed_at(day: str, entries: str) -> str:
    """1 when deal `d` is signed (a stage other than 在谈) at the end of `day`, else 0 (asof.stage_on's rule)."""
    return (
        f"(CASE WHEN {day} >= d.stage_since THEN (CASE WHEN d.stage <> 'negotiating' THEN 1 ELSE 0 END) "
        f"ELSE coalesce((SELECT CASE WHEN e3.to_stage <> 'negotiating' THEN 1 ELSE 0 END FROM {entries} e3 "
        f"WHERE e3.deal_id = d.id AND e3.effective_on <= {day} ORDER BY e3.id DESC LIMIT 1), 0) END)"
    )


def _items(funds: str, blockers: str, postgres: bool) -> str:
    """(deal, start, stop, six weights): each funds entry counts from its arrival; each blocker is raised from
    its day, open until resolved, overdue from the day after its due date until resolved (stop NULL: for ever)."""
    after_due = "greatest(b.raised_on, b.due_on + 1)" if postgres else "max(b.raised_on, date(b.due_on, '+1 day'))"
    until = "CASE WHEN b.resolved_on IS NULL THEN NULL WHEN b.resolved_on > {start} THEN b.resolved_on ELSE {start} END"
    return (
        "SELECT f.deal_id AS deal, f.arrived_on AS start, NULL AS stop, 1 AS w1, coalesce(f.amount_cny, 0) AS w2, "
        "CASE WHEN f.amount_cny IS NULL THEN 0 ELSE 1 END AS w3, 0 AS w4, 0 AS w5, 0 AS w6 "
        f"FROM {funds} f UNION ALL SELECT b.deal_id, b.raised_on, NULL, 0, 0, 0, 1, 0, 0 FROM {blockers} b "
        f"UNION ALL SELECT b.deal_id, b.raised_on, {until.format(start='b.raised_on')}, 0, 0, 0, 0, 1, 0 "
        f"FROM {blockers} b UNION ALL SELECT b.deal_id, {after_due}, {until.format(start=after_due)}, 0, 0, 0, 0, 0, 1 "
        f"FROM {blockers} b WHERE b.due_on IS NOT NULL"
    )


def event_contribution(deals: str, entries: str, funds: str, blockers: str, sign: str, postgres: bool) -> str:
    """SELECT of the differences (grouped by key) the funds and blockers of the rows of `deals` contribute:
    each counts while it stands (arrived; raised; open; overdue) and its deal is signed, as the scan counts.

    At an item's start +its weight if the deal is signed that day, at its stop −its weight if signed then, and at
    each day the deal becomes signed or unsigned ± the weight of the items standing across that day.
    """
    if postgres:
        month = "date_trunc('month', x.day)::date"
        grains = "(VALUES (0), (1)) g(g)"
        stop = "NULL::date"
    else:
        month = "date(x.day, 'start of month')"
        grains = "(SELECT 0 AS g UNION ALL SELECT 1) g"
        stop = "NULL"
    items = _items(funds, blockers, postgres).replace("NULL AS stop", f"{stop} AS stop", 1)
    ws = range(1, 7)
    flag = "CASE WHEN {v} IS NOT NULL AND {v} <> 'negotiating' THEN 1 ELSE 0 END"
    steps = (
        f"SELECT deal, c, {flag.format(v='s')} - {flag.format(v='p')} AS turn FROM (SELECT deal, c, s, "
        f"lag(s) OVER (PARTITION BY deal ORDER BY c) AS p FROM ({_points(deals, entries)}) pts) st0"
    )
    # An item's start (side 1) and stop (side -1) in one pass, the deal's signed state on that day read once:
    # the schema SQLite parses on every connection holds these statements in each trigger.
    sides = "(VALUES (1), (-1)) sd(side)" if postgres else "(SELECT 1 AS side UNION ALL SELECT -1) sd"
    ends = (
        f"SELECT di.id AS id, di.stage AS stage, di.stage_since AS stage_since, di.region AS region, "
        f"CASE sd.side WHEN 1 THEN i.start ELSE i.stop END AS day, sd.side AS side, "
        f"{', '.join(f'i.w{n} AS w{n}' for n in ws)} FROM ({items}) i JOIN {deals} di ON di.id = i.deal "
        f"CROSS JOIN {sides} WHERE di.archived_on IS NULL AND (sd.side = 1 OR i.stop IS NOT NULL)"
    )
    signed = (
        f"SELECT d.region AS region, d.day AS day, d.side * {_signed_at('d.day', entries)} AS f, "
        f"{', '.join(f'd.w{n} AS w{n}' for n in ws)} FROM ({ends}) d"
    )
    parts = (
        f"SELECT y.region AS region, y.day AS day, {', '.join(f'y.f * y.w{n} AS m{n}' for n in ws)} FROM ({signed}) y",
        f"SELECT d.region, st.c, {', '.join(f'st.turn * i.w{n}' for n in ws)} FROM ({steps}) st JOIN ({items}) i "
        "ON i.deal = st.deal AND i.start < st.c AND (i.stop IS NULL OR i.stop >= st.c) JOIN "
        f"{deals} d ON d.id = st.deal WHERE st.turn <> 0",
    )
    sums = ", ".join(f"sum({sign}x.m{n}) AS {name}" for n, name in zip(range(1, 7), EVENT_SUMS))
    return (
        f"SELECT g.g AS grain, CASE g.g WHEN 0 THEN {month} ELSE x.day END AS day, x.region AS region, {sums} "
        f"FROM ({' UNION ALL '.join(parts)}) x CROSS JOIN {grains} GROUP BY 1, 2, 3"
    )


def event_insert(deals: str, entries: str, funds: str, blockers: str, sign: str, postgres: bool) -> str:
    """INSERT of `event_contribution` into the kept table (SQLite: adding to the row of each key)."""
    columns = ", ".join(EVENT_KEYS + EVENT_SUMS)
    sql = (
        f"INSERT INTO {EVENTS_TABLE} ({columns}) {event_contribution(deals, entries, funds, blockers, sign, postgres)}"
    )
    if postgres:
        return sql
    updates = ", ".join(f"{c} = {EVENTS_TABLE}.{c} + excluded.{c}" for c in EVENT_SUMS)
    return f"{sql} HAVING true ON CONFLICT ({', '.join(EVENT_KEYS)}) DO UPDATE SET {updates}"


def pg_difference(
    deals: tuple[str, str], rel: tuple[dict, dict], stages: bool = True, events: bool = True, plan: bool = False
) -> str:
    """PostgreSQL: the statements that take from the kept tables (`stages`: deal_stage_days, `events`:
    deal_event_days, `plan`: deal_plan_days) the contributions of `deals[0]` with its ledger, funds and blockers `rel[0]` (as a
    trigger's rows were) and add those of `deals[1]` with `rel[1]` (as they are), one INSERT per table: both
    sides read in one snapshot. Read by two statements, a payment or blocker another officer committed between
    them was counted a second time (migration 0020)."""
    (old, new), (was, now) = deals, rel
    statements = []
    if stages:
        removed, added = contribution(old, was["entries"], "-", True), contribution(new, now["entries"], "", True)
        statements.append(f"INSERT INTO {TABLE} ({_COLUMNS}) ({removed}) UNION ALL ({added})")
    if events:
        removed = event_contribution(old, was["entries"], was["funds"], was["blockers"], "-", True)
        added = event_contribution(new, now["entries"], now["funds"], now["blockers"], "", True)
        columns = ", ".join(EVENT_KEYS + EVENT_SUMS)
        statements.append(f"INSERT INTO {EVENTS_TABLE} ({columns}) ({removed}) UNION ALL ({added})")
    if plan:
        removed = plan_contribution(old, was["entries"], "-", True)
        added = plan_contribution(new, now["entries"], "", True)
        columns = ", ".join(PLAN_KEYS + PLAN_SUMS)
        statements.append(f"INSERT INTO {PLAN_TABLE} ({columns}) ({removed}) UNION ALL ({added})")
    return "".join(f"{sql}; " for sql in statements)


EVENTS_FILL_SQLITE = event_insert("deal", "stage_change", "funds_arrived", BLOCKERS, "", postgres=False)
EVENTS_FILL_POSTGRES = event_insert("deal", "stage_change", "funds_arrived", BLOCKERS, "", postgres=True)


def events_kept_query() -> str:
    """The kept funds and blocker rows summed per key, all-zero keys left out (the check against the fill)."""
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in EVENT_SUMS)
    sums = ", ".join(f"sum({c})" for c in EVENT_SUMS)
    keys = ", ".join(EVENT_KEYS)
    return f"SELECT {keys}, {sums} FROM {EVENTS_TABLE} GROUP BY {keys} HAVING {nonzero}"


def events_computed_query(postgres: bool, voids: bool = True) -> str:
    """The funds and blocker contributions computed afresh, in events_kept_query's shape; `voids`: the blockers
    carry void marks (migration 0023), and the voided ones are left out."""
    nonzero = " OR ".join(f"{c} <> 0" for c in EVENT_SUMS)
    inner = event_contribution("deal", "stage_change", "funds_arrived", BLOCKERS if voids else "blocker", "", postgres)
    return f"SELECT * FROM ({inner}) AS computed WHERE {nonzero}"


# ---- the plan figures and late starts on a day (migration 0013) -------------------------------------------------

PLAN_TABLE = "deal_plan_days"
PLAN_KEYS = ("kind", "year", "grain", "day", "region")
PLAN_SUMS = ("deals", "started", "operating", "overdue", "early", "late", "very_late")
#: kind START: the deals planned to start in `year` (deals: counted in the plan, started, overdue, early);
#: COMPLETION: planned to complete in `year` (deals, operating); LATE: every deal, year 0 (late, very_late).
START, COMPLETION, LATE = 0, 1, 2
#: The classes of stages these figures tell apart; any other stage (终止) is 't', counted in none.
STATES = {
    "negotiating": "n",
    "signed": "w",  # waiting to start
    "registered": "w",
    "stalled": "w",
    "construction": "s",
    "operating": "o",
}
#: The deal columns a deal's plan rows depend on.
PLAN_COUNTED = ("stage", "stage_since", "region", "archived_on", "planned_start", "planned_completion")


def _plan_dates(postgres: bool) -> dict:
    if postgres:
        return {
            "next_day": "d.planned_start + 1",
            "late": "(date_trunc('month', d.planned_start) + interval '1 month')::date",
            "very_late": "(date_trunc('month', d.planned_start) + interval '4 months')::date",
            "year": "extract(year FROM {v})::int",
            "month": "date_trunc('month', {v})::date",
        }
    return {
        "next_day": "date(d.planned_start, '+1 day')",
        "late": "date(d.planned_start, 'start of month', '+1 month')",
        "very_late": "date(d.planned_start, 'start of month', '+4 months')",
        "year": "CAST(strftime('%Y', {v}) AS INTEGER)",
        "month": "date({v}, 'start of month')",
    }


def _plan_events(deals: str, entries: str, postgres: bool) -> str:
    """(deal, t, o, s): the days a deal's figures may change and the class of its stage from that day (NULL before
    it is in the ledger): the days its stage changes (o 0), and its planned start, the day after, and the first
    days of the months 1 and 4 months after its planned start month (o 1: overdue, no longer early, late, very
    late). A planned date takes the class of the last stage change on or before it: the running count of stage
    changes numbers the spans, each span's one stage change gives its class (no range join)."""
    state = "CASE p0.s " + " ".join(f"WHEN '{s}' THEN '{c}'" for s, c in STATES.items()) + " ELSE 't' END"
    dates = _plan_dates(postgres)
    text = "NULL::varchar" if postgres else "NULL"
    days = (dates["next_day"], dates["late"], dates["very_late"])
    which = " ".join(f"WHEN {n} THEN {b}" for n, b in enumerate(days, 1))
    four = (
        "(VALUES (0), (1), (2), (3)) bd(b)"
        if postgres
        else "(SELECT 0 AS b UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) bd"
    )
    bounds = (
        f"SELECT d.id, CASE bd.b {which} ELSE d.planned_start END, {text}, 1 FROM {deals} d CROSS JOIN {four} "
        "WHERE d.planned_start IS NOT NULL"
    )
    spans = (
        "SELECT deal, t, o, s, sum(1 - o) OVER (PARTITION BY deal ORDER BY t, o ROWS UNBOUNDED PRECEDING) AS span "
        f"FROM (SELECT p0.deal AS deal, p0.c AS t, {state} AS s, 0 AS o FROM ({_points(deals, entries)}) p0 "
        f"UNION ALL {bounds}) u"
    )
    return f"SELECT deal, t, o, max(s) OVER (PARTITION BY deal, span) AS s FROM ({spans}) w"


def plan_contribution(deals: str, entries: str, sign: str, postgres: bool) -> str:
    """SELECT of the differences (grouped by key) the rows of `deals` contribute to deal_plan_days.

    Each figure is a step function of the day per deal (counted while in the ledger and not 终止; started at 开工
    or 投产; operating at 投产; overdue while not started after its planned start day; early while started before
    it; late while signed, not started, in the 1st–3rd month after its planned start month; very late from the
    4th), kept as its differences on the days it changes (_plan_events), at two grains as `contribution`.
    `deals` must carry planned_start and planned_completion besides contribution's columns.
    """
    dates = _plan_dates(postgres)
    flag = "CASE WHEN {c} THEN 1 ELSE 0 END"
    figures = {
        "f_deals": "e.s IN ('n', 'w', 's', 'o')",
        "f_started": "e.s IN ('s', 'o')",
        "f_operating": "e.s = 'o'",
        "f_overdue": "e.s IN ('n', 'w') AND e.t > d.planned_start",
        "f_early": "e.s IN ('s', 'o') AND e.t < d.planned_start",
        "f_late": f"e.s = 'w' AND e.t >= {dates['late']} AND e.t < {dates['very_late']}",
        "f_very_late": f"e.s = 'w' AND e.t >= {dates['very_late']}",
    }
    values = ", ".join(f"{flag.format(c=c)} AS {name}" for name, c in figures.items())
    diffs = ", ".join(
        f"{name} - coalesce(lag({name}) OVER (PARTITION BY deal ORDER BY t, o), 0) AS {name[2:]}" for name in figures
    )
    events = (
        f"SELECT deal, t, region, ps, pc, {diffs} FROM (SELECT e.deal, e.t, e.o, d.region AS region, "
        f"d.planned_start AS ps, d.planned_completion AS pc, {values} FROM ({_plan_events(deals, entries, postgres)}) e "
        f"JOIN {deals} d ON d.id = e.deal) v"
    )
    if postgres:
        grains, kinds = "(VALUES (0), (1)) g(g)", "(VALUES (0), (1), (2)) kd(kind)"
    else:
        grains = "(SELECT 0 AS g UNION ALL SELECT 1) g"
        kinds = "(SELECT 0 AS kind UNION ALL SELECT 1 UNION ALL SELECT 2) kd"
    kind_of = {  # the sums each kind keeps
        "deals": (START, COMPLETION),
        "started": (START,),
        "operating": (COMPLETION,),
        "overdue": (START,),
        "early": (START,),
        "late": (LATE,),
        "very_late": (LATE,),
    }
    sums = {
        name: f"sum(CASE WHEN kd.kind IN ({', '.join(map(str, kinds_))}) THEN {sign}x.{name} ELSE 0 END)"
        for name, kinds_ in kind_of.items()
    }
    kept_by_kind = " ".join(
        f"WHEN {kind} THEN ({' OR '.join(f'x.{n} <> 0' for n, of in kind_of.items() if kind in of)})"
        for kind in (START, COMPLETION, LATE)
    )
    year = (
        f"CASE kd.kind WHEN {START} THEN {dates['year'].format(v='x.ps')} "
        f"WHEN {COMPLETION} THEN {dates['year'].format(v='x.pc')} ELSE 0 END"
    )
    return (
        f"SELECT kd.kind AS kind, {year} AS year, g.g AS grain, "
        f"CASE g.g WHEN 0 THEN {dates['month'].format(v='x.t')} ELSE x.t END AS day, x.region AS region, "
        f"{', '.join(f'{sql} AS {name}' for name, sql in sums.items())} "
        f"FROM (SELECT * FROM ({events}) e0 WHERE {' OR '.join(f'{name} <> 0' for name in kind_of)}) x "
        f"CROSS JOIN {kinds} CROSS JOIN {grains} "
        f"WHERE ((kd.kind = {COMPLETION} AND x.pc IS NOT NULL) OR (kd.kind <> {COMPLETION} AND x.ps IS NOT NULL)) "
        # a kind only from the rows that change one of its sums: most rows change none of LATE's or COMPLETION's
        f"AND CASE kd.kind {kept_by_kind} END "
        f"GROUP BY 1, 2, 3, 4, 5 HAVING {' OR '.join(f'{sql} <> 0' for sql in sums.values())}"
    )


def plan_insert(deals: str, entries: str, sign: str, postgres: bool) -> str:
    """INSERT of `plan_contribution` into deal_plan_days (SQLite: adding to the row of each key)."""
    columns = ", ".join(PLAN_KEYS + PLAN_SUMS)
    sql = f"INSERT INTO {PLAN_TABLE} ({columns}) {plan_contribution(deals, entries, sign, postgres)}"
    if postgres:
        return sql
    updates = ", ".join(f"{c} = {PLAN_TABLE}.{c} + excluded.{c}" for c in PLAN_SUMS)
    return f"{sql} ON CONFLICT ({', '.join(PLAN_KEYS)}) DO UPDATE SET {updates}"


PLAN_FILL_SQLITE = plan_insert("deal", "stage_change", "", postgres=False)
PLAN_FILL_POSTGRES = plan_insert("deal", "stage_change", "", postgres=True)


def plan_kept_query() -> str:
    """The kept plan rows summed per key, all-zero keys left out (the check against the fill)."""
    keys = ", ".join(PLAN_KEYS)
    sums = ", ".join(f"sum({c})" for c in PLAN_SUMS)
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in PLAN_SUMS)
    return f"SELECT {keys}, {sums} FROM {PLAN_TABLE} GROUP BY {keys} HAVING {nonzero}"


def plan_computed_query(postgres: bool) -> str:
    """The plan rows computed afresh from the deals, in plan_kept_query's shape."""
    return f"SELECT * FROM ({plan_contribution('deal', 'stage_change', '', postgres)}) AS computed"


# ---- a bulk import's fills, batch by batch (SQLite) --------------------------------------------------------------


def _between(table: str, column: str, also: str = "") -> str:
    """The rows of `table` whose `column` lies between the statement's :lo and :hi, as a relation."""
    return f"(SELECT * FROM {table} WHERE {column} BETWEEN :lo AND :hi{also})"


def new_deals_stage_fill(postgres: bool = False) -> str:
    """The INSERT adding to deal_stage_days what the deals with ids :lo to :hi (PostgreSQL: in the array
    %(ids)s) contribute, for deals whose ledger entries are all dated on or after their stage_since, as a deal
    just created has (its one entry dated its stage_since): each is one step, +1 from that day in its stage. What
    FILL_SQLITE (the insert trigger) adds for such deals (same keys and sums), without the window over their
    ledger entries; wrong for any other deal."""
    if postgres:
        month, converted, approx = "date_trunc('month', d.stage_since)::date", "::int", "d.amount_approximate::int"
        grains, own = "(VALUES (0), (1)) g(g)", OWN_IDS
    else:
        month, converted = "date(d.stage_since, 'start of month')", ""
        approx = "CASE WHEN d.amount_approximate THEN 1 ELSE 0 END"
        grains, own = "(SELECT 0 AS g UNION ALL SELECT 1) g", "BETWEEN :lo AND :hi"
    sql = (
        f"INSERT INTO {TABLE} ({', '.join(KEYS + SUMS)}) SELECT g.g, "
        f"CASE g.g WHEN 0 THEN {month} ELSE d.stage_since END, d.region, d.stage, "
        "d.currency, count(*), sum(d.amount), sum(coalesce(d.amount_cny, 0)), "
        f"sum((d.amount_cny IS NOT NULL){converted}), sum({approx}) FROM deal d "
        f"CROSS JOIN {grains} WHERE d.id {own} AND d.archived_on IS NULL GROUP BY 1, 2, 3, 4, 5"
    )
    if postgres:  # its kept rows are differences, appended
        return sql
    updates = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in SUMS)
    return f"{sql} HAVING true ON CONFLICT ({', '.join(KEYS)}) DO UPDATE SET {updates}"


def events_fill_between() -> str:
    """SQLite: EVENTS_FILL_SQLITE for the deals with ids :lo to :hi only (those with funds or blockers: the rest
    contribute nothing), any deals."""
    items = (
        " AND id IN (SELECT deal_id FROM blocker WHERE deal_id BETWEEN :lo AND :hi "
        "UNION ALL SELECT deal_id FROM funds_arrived WHERE deal_id BETWEEN :lo AND :hi)"
    )
    return event_insert(
        _between("deal", "id", items),
        _between("stage_change", "deal_id"),
        _between("funds_arrived", "deal_id"),
        _between("blocker", "deal_id", f" AND {COUNTED_BLOCKER}"),
        "",
        postgres=False,
    )


#: SQLite: PLAN_FILL_SQLITE over the deals with a planned date only, which are all it counts (its last WHERE).
PLAN_FILL_PLANNED_SQLITE = plan_insert(
    "(SELECT * FROM deal WHERE planned_start IS NOT NULL OR planned_completion IS NOT NULL)",
    "stage_change",
    "",
    postgres=False,
)


_OWN_ENTRIES = f"(SELECT * FROM stage_change WHERE deal_id {OWN_IDS})"


def own_deals_fills() -> list[str]:
    """PostgreSQL: the INSERTs adding to deal_stage_days and deal_plan_days what the new deals whose ids are in
    the array %(ids)s contribute, as the triggers would have added them one statement after another, for deals
    whose shares are not counted yet (written while the triggers stood aside, one ledger entry each):
    new_deals_stage_fill, then the plan trigger's own statement, the ids in place of its new rows."""
    # Only deals with a planned date count in the plan's totals.
    planned = (
        f"(SELECT * FROM deal WHERE id {OWN_IDS} AND (planned_start IS NOT NULL OR planned_completion IS NOT NULL))"
    )
    return [new_deals_stage_fill(postgres=True), plan_insert(planned, _OWN_ENTRIES, "", postgres=True)]


def own_deals_events_fill() -> str:
    """PostgreSQL: the INSERT adding to deal_event_days what the funds and blockers of the deals whose ids are in
    the array %(ids)s contribute (their shares not counted yet): the trigger's own statement over those deals."""
    funds = f"(SELECT * FROM funds_arrived WHERE deal_id {OWN_IDS})"
    blockers = f"(SELECT * FROM blocker WHERE deal_id {OWN_IDS} AND {COUNTED_BLOCKER})"
    # Only deals with funds or blockers count in the events' totals.
    items = (
        f"(SELECT * FROM deal WHERE id IN (SELECT deal_id FROM {funds} f UNION ALL SELECT deal_id FROM {blockers} b))"
    )
    return event_insert(items, _OWN_ENTRIES, funds, blockers, "", postgres=True)
