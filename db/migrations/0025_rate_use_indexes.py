"""Which exchange rates a day's figures were converted at (crm.reporting.asof.rates_used), asked once a period by
`crm kpi --series --format json|csv`: for every rate, a deal signed by that day or funds arrived by it. A rate
whose deals and funds all came later has every one of them read to prove it was not yet used. These two indexes
replace the plain ones on fx_rate_id (the same first column, so every lookup by rate still uses them) and answer
that proof from the index: the funds' arrival day, the deals' stage and the day it began.
"""

#: name → (table, columns, the plain index it replaces)
INDEXES = {
    "deal_fx_rate_id_stage_since": ("deal", "fx_rate_id, stage_since, stage", "deal_fx_rate_id"),
    "funds_arrived_fx_rate_id_arrived_on": ("funds_arrived", "fx_rate_id, arrived_on", "fundsarrived_fx_rate_id"),
}


def up(migrator, db):
    for name, (table, columns, plain) in INDEXES.items():
        migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {plain}"))
        migrator.migrate(migrator.sql(f"CREATE INDEX {name} ON {table} ({columns})"))


def down(migrator, db):
    for name, (table, _columns, plain) in INDEXES.items():
        migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {name}"))
        migrator.migrate(migrator.sql(f"CREATE INDEX {plain} ON {table} (fx_rate_id)"))
