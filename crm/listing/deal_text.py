"""The deal list as text, for `crm deals --format csv|json`: the database writes each value.

A million deals printed value by value in Python spent more time formatting
than the database spent finding them. Here the one SELECT of the list
(crm.listing.views.records_query: same joins, filter and order) asks the
database for every value already as the text the CLI prints — amounts as
"123.45", dates ISO, CSV cells with formula-looking text neutralised (the
leading apostrophe of crm.foundation.text.neutralise), JSON values quoted as
json.dumps(ensure_ascii=False) quotes them — so the CLI only joins the values
of a batch of rows into lines. The output is byte for byte what
cli.output.print_csv/print_json give for crm.listing.views.list_deals().
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from peewee import JOIN, SQL, Case, Cast, Value, fn

from crm.foundation.text import FORMULA_STARTS, QUOTE
from crm.listing.filters import DealFilter
from crm.listing.views import SUMMARY_KEYS, records_query
from db.dialects import dialect_of
from db.models import Deal, Department, Event, Person, Progress
from db.streaming import batches

#: Deals written at once: a batch's text is a few hundred KiB, whatever the ledger's size.
BATCH = 500
#: The columns of `crm deals --format csv`, in their order.
CSV_KEYS = (
    "code",
    "name",
    "region",
    "event",
    "signed_on",
    "amount",
    "currency",
    "amount_cny",
    "stage",
    "days_in_stage",
    "open_blockers",
    "lead_unit",
)
#: The keys of each record of `crm deals --format json`, in their order: a list row's.
JSON_KEYS = SUMMARY_KEYS


def _postgres() -> bool:
    return dialect_of().name == "postgresql"


def _line(template: str, values: list):
    """One text: `template` with each %s replaced by the next of `values` (NULL as nothing), by the database."""
    return fn.format(template, *values) if _postgres() else fn.printf(template, *values)


def _date_text(column):
    """A DATE column as ISO text (SQLite stores the text; PostgreSQL's own text follows DateStyle)."""
    return fn.to_char(column, "YYYY-MM-DD") if _postgres() else column


def _month_or_day(column, month_only):
    """A DATE column as crm.values.dates.date_text writes it: YYYY-MM where `month_only` holds, else ISO."""
    month = fn.to_char(column, "YYYY-MM") if _postgres() else fn.SUBSTR(column, SQL("1"), SQL("7"))
    return Case(None, [(month_only, month)], _date_text(column))


def _signed_text():
    """The signing date as every output prints it: 2019-09 when it names a month only (Deal.signed_on_month)."""
    return _month_or_day(Deal.signed_on, Deal.signed_on_month)


def _stage_since_text():
    """stage_since as cli.show_fields.stage_day prints it: a 签约 since a month-only signing date as that month."""
    since_signing = Deal.signed_on_month & (Deal.stage == "signed") & (Deal.stage_since == Deal.signed_on)
    return _month_or_day(Deal.stage_since, since_signing)


def _money_text(cents, quote: str = "", around: str = ""):
    """Whole fen as the Decimal's text (12345 → 123.45, -5 → -0.05), between `around`s; NULL stays NULL.

    `quote` goes before the minus sign of a negative amount (the CSV's neutralising apostrophe).
    """
    if not _postgres():  # one printf: a tenth of the SELECT's time at 100,000 deals
        negated = SQL("0") - cents
        return Case(
            None,
            [
                (cents.is_null(), None),
                (cents < SQL("0"), fn.printf(f"{around}{quote}-%d.%02d{around}", *_whole_and_fen(negated))),
            ],
            fn.printf(f"{around}%d.%02d{around}", *_whole_and_fen(cents)),
        )
    sign = Case(None, [(cents < SQL("0"), quote + "-")], "")
    whole = fn.ABS(cents) / SQL("100")  # integer division on both backends
    fen = fn.SUBSTR(Cast(SQL("100") + fn.ABS(cents) - whole * SQL("100"), "TEXT"), SQL("2"))  # 5 → "105" → "05"
    text = sign.concat(Cast(whole, "TEXT")).concat(".").concat(fen)
    return Value(around).concat(text).concat(around) if around else text


def _whole_and_fen(cents) -> tuple:
    """(whole units, fen) of a non-negative amount in fen, in integer arithmetic."""
    whole = cents / SQL("100")
    return whole, cents - whole * SQL("100")


def _days_since(column, today: datetime.date):
    """Whole days from the DATE `column` to `today`, as (today - date).days counts them."""
    if _postgres():
        return Cast(today.isoformat(), "DATE") - column
    return Cast(fn.julianday(today.isoformat()) - fn.julianday(fn.SUBSTR(column, SQL("1"), SQL("10"))), "INTEGER")


def _cell(column):
    """A text column as the csv module writes it after crm.foundation.text.neutralise.

    Formula-looking text gets the leading apostrophe (OWASP); a value with a comma,
    a double quote or a line break is quoted, its quotes doubled (QUOTE_MINIMAL).
    """
    safe = Case(
        None, [(fn.SUBSTR(column, SQL("1"), SQL("1")).in_(FORMULA_STARTS), Value(QUOTE).concat(column))], column
    )
    special = column.regexp('[",\r\n]') if _postgres() else fn.GLOB('*[",\r\n]*', column)
    return Case(None, [(special, Value('"').concat(fn.REPLACE(safe, '"', '""')).concat('"'))], safe)


def _json(value):
    """A text value as JSON: quoted and escaped as json.dumps(ensure_ascii=False) does, NULL as null."""
    if _postgres():
        return fn.COALESCE(Cast(fn.to_json(Cast(value, "TEXT")), "TEXT"), "null")
    return fn.json_quote(value)


def _json_money(cents):
    return Case(None, [(cents.is_null(), "null")], _money_text(cents, around='"'))


def _json_progress(entry):
    """The latest progress entry as print_json nests a dict one level down, or null."""
    text = _line(
        '{\n      "on": %s,\n      "by": %s,\n      "text": %s\n    }',
        [_json(_date_text(entry.on)), _json(entry.author), _json(entry.text)],
    )
    return Case(None, [(entry.id.is_null(), "null")], text)


def _latest_progress(query):
    """`query` joined to each deal's newest progress entry (by date, then entry), none when it has none."""
    newer = Progress.alias()
    latest = newer.select(newer.id).where(newer.deal == Deal.id).order_by(newer.on.desc(), newer.id.desc()).limit(1)
    return query.switch(Deal).join(Progress, JOIN.LEFT_OUTER, on=(Progress.id == latest))


def csv_query(flt: DealFilter | None = None, sort: str = "signed", reverse: bool = False, today=None):
    """The SELECT of the CSV: one column, each deal's line (CSV_KEYS' cells, CRLF at its end), in the list's order."""
    today = today or datetime.date.today()
    return records_query(
        flt,
        sort,
        reverse,
        columns=lambda open_blockers: [
            _line(
                ",".join(["%s"] * len(CSV_KEYS)) + "\r\n",
                [
                    _cell(Deal.code),
                    _cell(Deal.name),
                    _cell(Deal.region),
                    _cell(Event.name),
                    _signed_text(),
                    _money_text(Deal.amount, QUOTE),
                    _cell(Deal.currency),
                    _money_text(Deal.amount_cny, QUOTE),
                    _cell(Deal.stage),
                    _days_since(Deal.stage_since, today),
                    open_blockers,
                    _cell(Department.name),
                ],
            )
        ],
    )


def _json_record() -> str:
    """The template of one record as print_json indents it, a %s for each value."""
    quote = json.encoder.encode_basestring
    return "  {\n" + ",\n".join("    " + quote(k).replace("%", "%%") + ": %s" for k in JSON_KEYS) + "\n  }"


def json_query(flt: DealFilter | None = None, sort: str = "signed", reverse: bool = False, today=None):
    """The SELECT of the JSON: one column, each deal's record as print_json writes it, in the list's order."""
    today = today or datetime.date.today()
    return _latest_progress(
        records_query(
            flt,
            sort,
            reverse,
            columns=lambda open_blockers: [
                _line(
                    _json_record(),
                    [
                        _json(Deal.code),
                        _json(Deal.name),
                        _json(Deal.investor),
                        _json(Deal.region),
                        _json(Deal.industry),
                        _json(Deal.sub_industry),
                        _json(Event.name),
                        _json(_signed_text()),
                        _json_money(Deal.amount),
                        _json(Deal.currency),
                        Case(None, [(Deal.amount_approximate, "true")], "false"),
                        _json_money(Deal.amount_cny),
                        _json(Deal.stage),
                        _json(_stage_since_text()),
                        _days_since(Deal.stage_since, today),
                        open_blockers,
                        _json(Department.name),
                        _json(Person.name),
                        _json_progress(Progress),
                    ],
                )
            ],
        )
    )


def _texts(rows: list[tuple], encoded: bool) -> list:
    """The one column of `rows`; as UTF-8 bytes when `encoded` (SQLite's already are, PostgreSQL's are encoded)."""
    texts = [text for (text,) in rows]
    if encoded and texts and type(texts[0]) is str:
        texts = [text.encode() for text in texts]
    return texts


def csv_text(
    flt: DealFilter | None = None, sort: str = "signed", reverse: bool = False, encoded: bool = False
) -> Iterator[str] | Iterator[bytes]:
    """The text of `crm deals --format csv`: the header line, then the deals' lines a batch at a time.

    What cli.output.print_csv writes for list_deals()'s CSV_KEYS, byte for byte;
    memory stays that of one batch at any ledger size. `encoded`: the pieces are
    UTF-8 bytes (SQLite's text is never decoded), and nothing else may query the
    database until the last piece has been read.
    """
    header = ",".join(CSV_KEYS) + "\r\n"
    yield header.encode() if encoded else header
    empty = b"" if encoded else ""
    for rows in batches(csv_query(flt, sort, reverse), BATCH, raw_text=encoded):
        yield empty.join(_texts(rows, encoded))


def json_text(
    flt: DealFilter | None = None, sort: str = "signed", reverse: bool = False, encoded: bool = False
) -> Iterator[str] | Iterator[bytes]:
    """The text of `crm deals --format json`, a batch of records at a time.

    What cli.output.print_json writes for list_deals() (indent 2, UTF-8 text,
    amounts as strings), byte for byte; memory stays that of one batch.
    `encoded` as for csv_text().
    """

    def piece(text: str):
        return text.encode() if encoded else text

    first = True
    between = piece(",\n")
    for rows in batches(json_query(flt, sort, reverse), BATCH, raw_text=encoded):
        yield piece("[\n" if first else ",\n") + between.join(_texts(rows, encoded))
        first = False
    yield piece("[]\n" if first else "\n]\n")


def json_data_query(flt: DealFilter | None = None, sort: str = "signed", reverse: bool = False):
    """json_query()'s rows as stored, unformatted: the deal list's columns and the latest progress entry's.

    What a database's own client would have to read to write the same records
    (the benchmark's floor for `crm deals --format json`).
    """
    stored = [Deal.code, Deal.name, Deal.investor, Deal.region, Deal.industry, Deal.sub_industry, Event.name]
    stored += [Deal.signed_on, Deal.amount, Deal.currency, Deal.amount_approximate, Deal.amount_cny, Deal.stage]
    return _latest_progress(
        records_query(
            flt,
            sort,
            reverse,
            columns=lambda open_blockers: (
                stored
                + [
                    Deal.stage_since,
                    open_blockers,
                    Department.name,
                    Person.name,
                    Progress.on,
                    Progress.author,
                    Progress.text,
                ]
            ),
        )
    )
