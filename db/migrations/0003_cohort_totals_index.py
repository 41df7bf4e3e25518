"""A covering index for the totals of a signing-date cohort (Dashboard "signed in 2020", KPIs by year).

The KPIs of a year read, for ~100,000 of a million deals, the stage, currency,
amounts, rate and region: with this index they come from one range of one
index instead of a table lookup per deal.
"""

COLUMNS = ["signed_on", "stage", "currency", "amount", "amount_cny", "amount_approximate", "fx_rate_id", "region"]
NAME = "deal_signed_on_totals"


def up(migrator, db):
    migrator.migrate(migrator.add_index("deal", COLUMNS, name=NAME))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("deal", NAME))
