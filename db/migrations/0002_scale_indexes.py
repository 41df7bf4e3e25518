"""Indexes and a search index for a ledger of a million deals.

- Every sort of the deal list (crm/listing/pages.py) on a column of Deal has an
  index in that order, with the id as tie-breaker (implicit on SQLite, where
  every index ends with the rowid); each quick filter (stage, region, event)
  has an index led by it and followed by the default sort (signing date).
- Counts and CNY totals (list footer, Board, Dashboard, KPIs) are answered
  from covering indexes, without touching the wide deal rows: by stage and
  currency, by region, blockers by state, funds by deal.
- Search (crm/listing/search.py):
  - SQLite: `deal_search`, an FTS5 table with the trigram tokenizer over each
    deal's search_text and pinyin_initials, kept in step by triggers. It is
    contentless (the text lives in deal) with detail=none, so it costs
    about 80 bytes a deal. Queries of 3+ characters match all their
    trigrams; 1–2 characters match the trigrams that start with them (the
    text ends with two newlines so every character starts one). It only
    narrows the candidates: the exact LIKE condition still decides.
  - PostgreSQL: pg_trgm GIN indexes on search_text and pinyin_initials (3+
    characters), and a GIN index on the characters of search_text
    (string_to_array(search_text, NULL)) for 1–2 characters.
  - Both: an index led by pinyin_initials that also covers the amounts, for
    initials typed from the start of a name (zzgyl) and for counting dense
    matches without reading the deal rows.
- Totals kept in step (SQLite): deal_totals (per stage and currency),
  funds_totals and blocker_totals (per stage of their deal), maintained by
  triggers, so the KPIs of all deals (the Dashboard) read a few rows instead
  of scanning a million. SQLite has one writer at a time, so these shared
  rows cost nothing; on PostgreSQL they would make concurrent writers queue
  (and deadlock) on them, so there the KPIs use the covering indexes.
"""

from peewee import PostgresqlDatabase

SEARCH_TEXT = "{row}.search_text || char(10) || {row}.pinyin_initials || char(10) || char(10)"

SQLITE_INDEXES = [
    # sorts (SQLite appends the rowid to every index: the id tie-break is free)
    ("deal", ("name",)),
    ("deal", ("amount_cny",)),
    ("deal", ("stage_since",)),
    # quick filters followed by the default sort
    ("deal", ("stage", "signed_on")),
    ("deal", ("region", "signed_on")),
    ("deal", ("event_id", "signed_on")),
    # covering indexes for counts and totals
    ("deal", ("stage", "currency", "amount", "amount_cny", "amount_approximate", "fx_rate_id")),
    ("deal", ("region", "stage", "amount_cny", "amount_approximate")),
    ("deal", ("pinyin_initials", "search_text", "amount_cny", "amount_approximate")),
    ("blocker", ("resolved_on", "due_on", "deal_id")),
    ("blocker", ("deal_id", "resolved_on", "due_on")),
    ("funds_arrived", ("deal_id", "amount_cny", "fx_rate_id")),
]

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE deal_search USING fts5(text, tokenize='trigram', content='', detail='none', columnsize=0)",
    "CREATE TRIGGER deal_search_insert AFTER INSERT ON deal BEGIN "
    f"INSERT INTO deal_search(rowid, text) VALUES (new.id, {SEARCH_TEXT.format(row='new')}); END",
    "CREATE TRIGGER deal_search_delete AFTER DELETE ON deal BEGIN "
    f"INSERT INTO deal_search(deal_search, rowid, text) VALUES ('delete', old.id, {SEARCH_TEXT.format(row='old')}); END",
    "CREATE TRIGGER deal_search_update AFTER UPDATE OF search_text, pinyin_initials ON deal "
    "WHEN old.search_text IS NOT new.search_text OR old.pinyin_initials IS NOT new.pinyin_initials BEGIN "
    f"INSERT INTO deal_search(deal_search, rowid, text) VALUES ('delete', old.id, {SEARCH_TEXT.format(row='old')}); "
    f"INSERT INTO deal_search(rowid, text) VALUES (new.id, {SEARCH_TEXT.format(row='new')}); END",
    f"INSERT INTO deal_search(rowid, text) SELECT id, {SEARCH_TEXT.format(row='deal')} FROM deal",
    # the index's terms, to find the trigrams that start with a 1- or 2-character query
    "CREATE VIRTUAL TABLE deal_search_terms USING fts5vocab(deal_search, 'row')",
]


# (sign, row): the row's contribution to the totals, added (+) or taken away (-)
def _count_deal(sign, row):
    return (
        "INSERT INTO deal_totals (stage, currency, deals, amount, amount_cny, converted, approximate) "
        f"VALUES ({row}.stage, {row}.currency, {sign}1, {sign}{row}.amount, {sign}coalesce({row}.amount_cny, 0), "
        f"{sign}(CASE WHEN {row}.amount_cny IS NULL THEN 0 ELSE 1 END), "
        f"{sign}(CASE WHEN {row}.amount_approximate THEN 1 ELSE 0 END)) "
        "ON CONFLICT (stage, currency) DO UPDATE SET deals = deal_totals.deals + excluded.deals, "
        "amount = deal_totals.amount + excluded.amount, amount_cny = deal_totals.amount_cny + excluded.amount_cny, "
        "converted = deal_totals.converted + excluded.converted, "
        "approximate = deal_totals.approximate + excluded.approximate;"
    )


def _count_funds(sign, where, stage=None):
    """Add (sign '') or take away ('-') the funds rows `where` (on f), under `stage` or their deal's stage."""
    if stage is None:
        source, key = "funds_arrived f JOIN deal d ON d.id = f.deal_id", "d.stage"
    else:
        source, key = "funds_arrived f", stage
    return (
        "INSERT INTO funds_totals (stage, arrivals, amount_cny, converted) "
        f"SELECT {key}, {sign}count(*), {sign}coalesce(sum(f.amount_cny), 0), {sign}count(f.amount_cny) "
        f"FROM {source} WHERE {where} GROUP BY {key} "
        "ON CONFLICT (stage) DO UPDATE SET arrivals = funds_totals.arrivals + excluded.arrivals, "
        "amount_cny = funds_totals.amount_cny + excluded.amount_cny, "
        "converted = funds_totals.converted + excluded.converted;"
    )


def _count_blockers(sign, where, stage=None):
    """The same for blockers (on b)."""
    if stage is None:
        source, key = "blocker b JOIN deal d ON d.id = b.deal_id", "d.stage"
    else:
        source, key = "blocker b", stage
    return (
        "INSERT INTO blocker_totals (stage, raised, open) "
        f"SELECT {key}, {sign}count(*), {sign}sum(CASE WHEN b.resolved_on IS NULL THEN 1 ELSE 0 END) "
        f"FROM {source} WHERE {where} GROUP BY {key} "
        "ON CONFLICT (stage) DO UPDATE SET raised = blocker_totals.raised + excluded.raised, "
        "open = blocker_totals.open + excluded.open;"
    )


def _changed(*columns):
    return " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)


DEAL_COUNTED = ("stage", "currency", "amount", "amount_cny", "amount_approximate")

SQLITE_TOTALS = [
    "CREATE TABLE deal_totals (stage VARCHAR(20) NOT NULL, currency VARCHAR(3) NOT NULL, deals INTEGER NOT NULL, "
    "amount INTEGER NOT NULL, amount_cny INTEGER NOT NULL, converted INTEGER NOT NULL, approximate INTEGER NOT NULL, "
    "PRIMARY KEY (stage, currency))",
    "CREATE TABLE funds_totals (stage VARCHAR(20) NOT NULL PRIMARY KEY, arrivals INTEGER NOT NULL, "
    "amount_cny INTEGER NOT NULL, converted INTEGER NOT NULL)",
    "CREATE TABLE blocker_totals (stage VARCHAR(20) NOT NULL PRIMARY KEY, raised INTEGER NOT NULL, open INTEGER NOT NULL)",
    # deals
    f"CREATE TRIGGER deal_totals_insert AFTER INSERT ON deal BEGIN {_count_deal('', 'new')} END",
    f"CREATE TRIGGER deal_totals_update AFTER UPDATE OF {', '.join(DEAL_COUNTED)} ON deal "
    f"WHEN {_changed(*DEAL_COUNTED)} BEGIN {_count_deal('-', 'old')} {_count_deal('', 'new')} END",
    "CREATE TRIGGER deal_totals_stage AFTER UPDATE OF stage ON deal WHEN old.stage IS NOT new.stage BEGIN "
    f"{_count_funds('-', 'f.deal_id = old.id', 'old.stage')} {_count_funds('', 'f.deal_id = new.id', 'new.stage')} "
    f"{_count_blockers('-', 'b.deal_id = old.id', 'old.stage')} "
    f"{_count_blockers('', 'b.deal_id = new.id', 'new.stage')} END",
    # a deleted deal takes its funds and blockers with it (ON DELETE CASCADE): count them out
    # first, while they still have their deal; their own triggers then find no deal and do nothing
    "CREATE TRIGGER deal_totals_before_delete BEFORE DELETE ON deal BEGIN "
    f"{_count_funds('-', 'f.deal_id = old.id', 'old.stage')} "
    f"{_count_blockers('-', 'b.deal_id = old.id', 'old.stage')} END",
    f"CREATE TRIGGER deal_totals_delete AFTER DELETE ON deal BEGIN {_count_deal('-', 'old')} END",
    # funds and blockers: an update takes the old row out before and puts the new one in after
    f"CREATE TRIGGER funds_totals_insert AFTER INSERT ON funds_arrived BEGIN {_count_funds('', 'f.id = new.id')} END",
    "CREATE TRIGGER funds_totals_update BEFORE UPDATE OF deal_id, amount_cny ON funds_arrived "
    f"WHEN {_changed('deal_id', 'amount_cny')} BEGIN {_count_funds('-', 'f.id = old.id')} END",
    "CREATE TRIGGER funds_totals_updated AFTER UPDATE OF deal_id, amount_cny ON funds_arrived "
    f"WHEN {_changed('deal_id', 'amount_cny')} BEGIN {_count_funds('', 'f.id = new.id')} END",
    f"CREATE TRIGGER funds_totals_delete BEFORE DELETE ON funds_arrived BEGIN {_count_funds('-', 'f.id = old.id')} END",
    f"CREATE TRIGGER blocker_totals_insert AFTER INSERT ON blocker BEGIN {_count_blockers('', 'b.id = new.id')} END",
    "CREATE TRIGGER blocker_totals_update BEFORE UPDATE OF deal_id, resolved_on ON blocker "
    f"WHEN {_changed('deal_id', 'resolved_on')} BEGIN {_count_blockers('-', 'b.id = old.id')} END",
    "CREATE TRIGGER blocker_totals_updated AFTER UPDATE OF deal_id, resolved_on ON blocker "
    f"WHEN {_changed('deal_id', 'resolved_on')} BEGIN {_count_blockers('', 'b.id = new.id')} END",
    f"CREATE TRIGGER blocker_totals_delete BEFORE DELETE ON blocker BEGIN {_count_blockers('-', 'b.id = old.id')} END",
    # what is already there
    "INSERT INTO deal_totals SELECT stage, currency, count(*), sum(amount), coalesce(sum(amount_cny), 0), "
    "count(amount_cny), sum(CASE WHEN amount_approximate THEN 1 ELSE 0 END) FROM deal GROUP BY stage, currency",
    "INSERT INTO funds_totals SELECT d.stage, count(*), coalesce(sum(f.amount_cny), 0), count(f.amount_cny) "
    "FROM funds_arrived f JOIN deal d ON d.id = f.deal_id GROUP BY d.stage",
    "INSERT INTO blocker_totals SELECT d.stage, count(*), sum(CASE WHEN b.resolved_on IS NULL THEN 1 ELSE 0 END) "
    "FROM blocker b JOIN deal d ON d.id = b.deal_id GROUP BY d.stage",
]

POSTGRES_INDEXES = [
    # sorts, with the id tie-break of the keyset
    ("deal", ("signed_on", "id")),
    ("deal", ("code", "id")),
    ("deal", ("name", "id")),
    ("deal", ("region", "id")),
    ("deal", ("amount_cny", "id")),
    ("deal", ("stage_since", "id")),
    # quick filters followed by the default sort
    ("deal", ("stage", "signed_on", "id")),
    ("deal", ("region", "signed_on", "id")),
    ("deal", ("event_id", "signed_on", "id")),
    # covering indexes for counts and totals
    ("deal", ("stage", "currency", "amount", "amount_cny", "amount_approximate", "fx_rate_id")),
    ("deal", ("region", "stage", "amount_cny", "amount_approximate")),
    ("blocker", ("resolved_on", "due_on", "deal_id")),
    ("blocker", ("deal_id", "resolved_on", "due_on")),
    ("funds_arrived", ("deal_id", "amount_cny", "fx_rate_id")),
]

POSTGRES_SEARCH = [
    # text_pattern_ops: LIKE 'z%…' (initials from the start of the name) can use it whatever the collation
    "CREATE INDEX deal_pinyin_initials_prefix ON deal (pinyin_initials text_pattern_ops, amount_cny, amount_approximate)",
    "CREATE INDEX deal_search_chars ON deal USING gin (string_to_array(search_text, NULL))",
]
POSTGRES_TRGM = [
    "CREATE INDEX deal_search_text_trgm ON deal USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX deal_pinyin_initials_trgm ON deal USING gin (pinyin_initials gin_trgm_ops)",
]


def _name(table, columns):
    return f"{table}_{'_'.join(columns)}"


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for table, columns in POSTGRES_INDEXES if postgres else SQLITE_INDEXES:
        migrator.migrate(migrator.add_index(table, list(columns), name=_name(table, columns)))
    if not postgres:
        for sql in SQLITE_SEARCH + SQLITE_TOTALS:
            migrator.migrate(migrator.sql(sql))
        return
    for sql in POSTGRES_SEARCH:
        migrator.migrate(migrator.sql(sql))
    try:
        with db.atomic():  # a savepoint: without the pg_trgm extension search still works, only slower
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 — not installed, or not allowed to create it
        return
    for sql in POSTGRES_TRGM:
        migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    if postgres:
        for name in (
            "deal_search_text_trgm",
            "deal_pinyin_initials_trgm",
            "deal_search_chars",
            "deal_pinyin_initials_prefix",
        ):
            migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {name}"))
    else:
        for name in (
            "deal_search_insert",
            "deal_search_delete",
            "deal_search_update",
            "deal_totals_insert",
            "deal_totals_update",
            "deal_totals_stage",
            "deal_totals_before_delete",
            "deal_totals_delete",
            "funds_totals_insert",
            "funds_totals_update",
            "funds_totals_updated",
            "funds_totals_delete",
            "blocker_totals_insert",
            "blocker_totals_update",
            "blocker_totals_updated",
            "blocker_totals_delete",
        ):
            migrator.migrate(migrator.sql(f"DROP TRIGGER IF EXISTS {name}"))
        for name in ("deal_totals", "funds_totals", "blocker_totals"):
            migrator.migrate(migrator.sql(f"DROP TABLE IF EXISTS {name}"))
        migrator.migrate(migrator.sql("DROP TABLE IF EXISTS deal_search_terms"))
        migrator.migrate(migrator.sql("DROP TABLE IF EXISTS deal_search"))
    for table, columns in POSTGRES_INDEXES if postgres else SQLITE_INDEXES:
        migrator.migrate(migrator.drop_index(table, _name(table, columns)))
