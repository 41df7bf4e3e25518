"""Peewee models: the ledger's tables. Business rules live in crm/, not here.

Every model binds to `database`, a proxy that db.connection.open_database()
points at SQLite or PostgreSQL.
"""

import datetime

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from db.fields import CentsField, RateField

database = DatabaseProxy()


def _now():
    return datetime.datetime.now().replace(microsecond=0)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def _money_columns() -> tuple[CentsField, CharField, CentsField, ForeignKeyField]:
    """amount, currency, amount_cny, fx_rate: an amount in its currency and its CNY equivalent.

    amount_cny is rounded to the fen when the conversion is made and NULL while no rate covers the
    date; fx_rate is the rate used. Called in a class body, so the columns keep their place in it.
    """
    return (
        CentsField(),
        CharField(max_length=3, default="CNY"),
        CentsField(null=True),
        ForeignKeyField(FxRate, null=True, on_delete="RESTRICT"),
    )


def _recorded_columns() -> tuple[DateTimeField, CharField]:
    """recorded_at, recorded_by: when and by whom a row was written."""
    return DateTimeField(default=_now), CharField(max_length=100, default="")


def _void_marks() -> tuple[DateTimeField, CharField, TextField]:
    """voided_at, voided_by, void_note (migrations 0011, 0023): a voided row stays, marked."""
    return DateTimeField(null=True), CharField(max_length=100, default=""), TextField(default="")


def _voided_amounts() -> tuple[CentsField, CentsField]:
    """voided_amount, voided_amount_cny: where a voided row's amounts move (its summed columns become 0)."""
    return CentsField(null=True), CentsField(null=True)


class Department(BaseModel):
    """A 责任单位: government department, county/district government, zone or utility."""

    name = CharField(max_length=100, unique=True)
    kind = CharField(max_length=20, default="department")  # department | county | zone | utility
    contact = CharField(max_length=200, default="")
    version = IntegerField(default=1)
    updated_at = DateTimeField(default=_now)
    updated_by = CharField(max_length=100, default="")


class Person(BaseModel):
    """A liaison leader (包联领导) or contact."""

    name = CharField(max_length=50, unique=True)
    title = CharField(max_length=100, default="")
    phone = CharField(max_length=50, default="")


class Event(BaseModel):
    """A 招商活动 at which deals are signed."""

    name = CharField(max_length=200)
    held_on = DateField(null=True)
    place = CharField(max_length=200, default="")  # "online" for 网上签约
    organiser = CharField(max_length=200, default="")

    class Meta:
        indexes = ((("name", "held_on"), True),)


class FxRate(BaseModel):
    """CNY per one unit of `currency`, valid from `on` until the next rate."""

    currency = CharField(max_length=3)
    on = DateField()
    rate = RateField()
    source = CharField(max_length=200, default="")
    # A voided rate (migration 0011) stays, marked, and converts nothing.
    voided_at, voided_by, void_note = _void_marks()

    class Meta:
        indexes = ((("currency", "on"), True),)


class Deal(BaseModel):
    """A 项目: one signed (or negotiated) investment deal."""

    code = CharField(max_length=32, unique=True)
    name = CharField(max_length=200)
    investor = CharField(max_length=200, default="")
    region = CharField(max_length=50, default="", index=True)
    industry = CharField(max_length=50, default="", index=True)
    sub_industry = CharField(max_length=50, default="")
    event = ForeignKeyField(Event, null=True, backref="deals", on_delete="RESTRICT")
    signed_on = DateField(null=True, index=True)
    amount = CentsField()
    currency = CharField(max_length=3, default="CNY")
    amount_approximate = BooleanField(default=False)
    # The CNY equivalent at the signing-date rate, rounded to the fen when the
    # conversion is made (as a bank would) so that SQL sums stay exact; NULL
    # while no rate covers the date. crm.reference.fx keeps it in step when rates change.
    amount_cny = CentsField(null=True)
    fx_rate = ForeignKeyField(FxRate, null=True, on_delete="RESTRICT")
    approval = CharField(max_length=20, default="")  # approval | verification | filing
    # The current stage mirrors the newest StageChange; crm.deals.stages writes both
    # in one transaction so lists can filter and sort without a join.
    stage = CharField(max_length=20, index=True)
    stage_since = DateField()
    liaison = ForeignKeyField(Person, null=True, backref="deals", on_delete="SET NULL")
    lead_unit = ForeignKeyField(Department, null=True, backref="lead_deals", on_delete="RESTRICT")
    planned_start = DateField(null=True)
    planned_completion = DateField(null=True)
    # The date beside names a month only (计划开工 2020年7月): stored as its first day, shown as the month.
    signed_on_month = BooleanField(default=False)
    planned_start_month = BooleanField(default=False)
    planned_completion_month = BooleanField(default=False)
    responsibility_plan = TextField(default="")
    floor_area = DecimalField(max_digits=14, decimal_places=2, null=True)  # 平方米
    notes = TextField(default="")
    search_text = TextField(default="")  # code, name and investor, lower case
    pinyin_initials = CharField(max_length=200, default="")  # 涿州现代… → zzxd…
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    updated_by = CharField(max_length=100, default="")
    version = IntegerField(default=1)
    # Archived (migration 0011): kept whole, but out of lists, KPIs and reports unless asked for.
    archived_on = DateField(null=True, index=True)
    archive_note = TextField(default="")


class DealDepartment(BaseModel):
    """A supporting department (配合单位) of a deal; the lead unit is Deal.lead_unit."""

    deal = ForeignKeyField(Deal, backref="supporting", on_delete="CASCADE")
    department = ForeignKeyField(Department, backref="supported_deals", on_delete="RESTRICT")

    class Meta:
        indexes = ((("deal", "department"), True),)


class StageChange(BaseModel):
    """One entry of the append-only stage ledger."""

    deal = ForeignKeyField(Deal, backref="stage_changes", on_delete="CASCADE")
    from_stage = CharField(max_length=20, null=True)
    to_stage = CharField(max_length=20)
    effective_on = DateField()
    recorded_at, recorded_by = _recorded_columns()
    note = TextField(default="")


class Blocker(BaseModel):
    """A problem holding a deal up, owned by the department that must clear it."""

    deal = ForeignKeyField(Deal, backref="blockers", on_delete="CASCADE")
    text = TextField()
    department = ForeignKeyField(Department, backref="blockers", on_delete="RESTRICT")
    raised_on = DateField()
    due_on = DateField(null=True)
    resolved_on = DateField(null=True, index=True)
    resolution = TextField(default="")
    version = IntegerField(default=1)
    updated_at = DateTimeField(default=_now)
    updated_by = CharField(max_length=100, default="")
    # Voided as entered by mistake (migration 0023): it stays, marked, and counts nowhere, as if deleted.
    voided_at, voided_by, void_note = _void_marks()


class FundsArrived(BaseModel):
    """One arrival of funds (到位资金); a deal's funds are the sum of its arrivals."""

    deal = ForeignKeyField(Deal, backref="funds", on_delete="CASCADE")
    arrived_on = DateField()
    amount, currency, amount_cny, fx_rate = _money_columns()
    note = TextField(default="")
    recorded_at, recorded_by = _recorded_columns()
    # Voided (migration 0011): the amounts move to voided_*, the summed columns become 0.
    voided_at, voided_by, void_note = _void_marks()
    voided_amount, voided_amount_cny = _voided_amounts()


class Progress(BaseModel):
    """One line of the weekly progress log (本周进展): append-only, never edited."""

    deal = ForeignKeyField(Deal, backref="progress", on_delete="CASCADE")
    on = DateField()
    text = TextField()
    author = CharField(max_length=100, default="")
    recorded_at = DateTimeField(default=_now)

    class Meta:
        indexes = ((("deal", "on"), False), (("on",), False))


class InvestmentPlan(BaseModel):
    """A deal's planned investment for one calendar year (年度计划投资)."""

    deal = ForeignKeyField(Deal, backref="investment_plans", on_delete="CASCADE")
    year = IntegerField()
    amount, currency, amount_cny, fx_rate = _money_columns()
    recorded_at, recorded_by = _recorded_columns()

    class Meta:
        indexes = ((("deal", "year"), True), (("year",), False))


class InvestmentDone(BaseModel):
    """Investment completed in one month (完成投资), not funds arrived; `month` is its first day."""

    deal = ForeignKeyField(Deal, backref="investment_done", on_delete="CASCADE")
    month = DateField()
    # Converted at the rate in force on the month's last day.
    amount, currency, amount_cny, fx_rate = _money_columns()
    recorded_at, recorded_by = _recorded_columns()
    # Voided (migration 0011): the amounts move to voided_*, the summed columns become 0.
    voided_at, voided_by, void_note = _void_marks()
    voided_amount, voided_amount_cny = _voided_amounts()

    class Meta:
        indexes = ((("deal", "month"), True), (("month",), False))


class Tag(BaseModel):
    """A named cohort of deals (京津合作, 市重点, a 工作组)."""

    name = CharField(max_length=50, unique=True)


class DealTag(BaseModel):
    """A tag on a deal."""

    deal = ForeignKeyField(Deal, backref="tags", on_delete="CASCADE")
    tag = ForeignKeyField(Tag, backref="deals", on_delete="CASCADE")

    class Meta:
        indexes = ((("deal", "tag"), True), (("tag",), False))


class AuditEntry(BaseModel):
    """Who changed which field of which row, when, old → new."""

    at = DateTimeField(default=_now)
    actor = CharField(max_length=100)
    table = CharField(max_length=50)
    row_id = IntegerField()
    field = CharField(max_length=50)
    old = TextField(null=True)
    new = TextField(null=True)

    class Meta:
        indexes = ((("table", "row_id"), False),)


class ImportRecord(BaseModel):
    """One import written (migration 0010): what it read and, per table, the last id before it (`marks`, JSON)."""

    at = DateTimeField(default=_now)
    actor = CharField(max_length=100, default="")
    source = CharField(max_length=500)
    sheet = CharField(max_length=200, default="")
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    marks = TextField(default="{}")
    audit_before = BigIntegerField(default=0)  # the import's audit entries have ids in (before, after]
    audit_after = BigIntegerField(default=0)
    reverted_at = DateTimeField(null=True)


class ImportMapping(BaseModel):
    """The --map chosen for a header row (its normalised labels), used again for files with the same headers."""

    header_key = CharField(max_length=2000, unique=True)
    mapping = TextField()  # JSON: normalised header -> field or null
    updated_at = DateTimeField(default=_now)


MODELS = [
    Department,
    Person,
    Event,
    FxRate,
    Deal,
    DealDepartment,
    StageChange,
    Blocker,
    FundsArrived,
    Progress,
    InvestmentPlan,
    InvestmentDone,
    Tag,
    DealTag,
    AuditEntry,
    ImportRecord,
    ImportMapping,
]


class _CohortTotals(BaseModel):
    """Deal totals kept in step per signing year (0: not signed), region, stage and currency (migration 0006).

    Not in MODELS: the migration and its triggers make and fill these tables, and
    only crm.listing.kept_totals reads them. Amounts are integer fen, as in Deal.
    """

    year = IntegerField()
    region = CharField(max_length=100)
    stage = CharField(max_length=20)
    currency = CharField(max_length=3)
    deals = BigIntegerField()
    amount = BigIntegerField()
    amount_cny = BigIntegerField()
    converted = BigIntegerField()
    approximate = BigIntegerField()


class DealCohortTotals(_CohortTotals):
    """SQLite: one row per key, updated by triggers."""

    class Meta:
        table_name = "deal_cohort_totals"
        primary_key = False


class DealCohortTotalsDelta(_CohortTotals):
    """PostgreSQL: rows of differences appended by a trigger; a key's totals are their sum."""

    class Meta:
        table_name = "deal_cohort_totals_delta"
