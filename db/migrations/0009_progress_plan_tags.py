"""Progress log, annual investment plans, monthly completed investment, tags (issue #13).

Frozen copies of the models, as in 0001: later changes to db/models.py go in
new migrations. Deal and FxRate are stand-ins naming the existing tables so
the foreign keys point at them; peewee writes the same DDL shape for SQLite and
PostgreSQL (integer fen in BIGINT, dates as DATE), so one script serves both.
"""

from peewee import *

from db.fields import CentsField


def _tables(db):
    class Deal(Model):
        class Meta:
            database = db
            table_name = "deal"

    class FxRate(Model):
        class Meta:
            database = db
            table_name = "fx_rate"

    class Progress(Model):
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        on = DateField()
        text = TextField()
        author = CharField(max_length=100, default="")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "progress"
            indexes = ((("deal", "on"), False), (("on",), False))

    class InvestmentPlan(Model):
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        year = IntegerField()
        amount = CentsField()
        currency = CharField(max_length=3, default="CNY")
        amount_cny = CentsField(null=True)
        fx_rate = ForeignKeyField(FxRate, null=True, on_delete="RESTRICT")
        recorded_at = DateTimeField()
        recorded_by = CharField(max_length=100, default="")

        class Meta:
            database = db
            table_name = "investment_plan"
            indexes = ((("deal", "year"), True), (("year",), False))

    class InvestmentDone(Model):
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        month = DateField()
        amount = CentsField()
        currency = CharField(max_length=3, default="CNY")
        amount_cny = CentsField(null=True)
        fx_rate = ForeignKeyField(FxRate, null=True, on_delete="RESTRICT")
        recorded_at = DateTimeField()
        recorded_by = CharField(max_length=100, default="")

        class Meta:
            database = db
            table_name = "investment_done"
            indexes = ((("deal", "month"), True), (("month",), False))

    class Tag(Model):
        name = CharField(unique=True, max_length=50)

        class Meta:
            database = db
            table_name = "tag"

    class DealTag(Model):
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        tag = ForeignKeyField(Tag, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "deal_tag"
            indexes = ((("deal", "tag"), True), (("tag",), False))

    return [Progress, InvestmentPlan, InvestmentDone, Tag, DealTag]


def up(migrator, db):
    db.create_tables(_tables(db))


def down(migrator, db):
    for table in ("deal_tag", "tag", "investment_done", "investment_plan", "progress"):
        migrator.migrate(migrator.drop_table(table))
