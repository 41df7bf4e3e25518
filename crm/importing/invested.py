"""Writing a sheet's planned and completed investment (crm.importing.investment_columns) once its deals exist, and
putting back what an import replaced when it is reverted (crm.importing.records).

A plan is the deal's plan for its year, set (as `crm plan` sets it) when it differs from the ledger's. A column
adding up months (1-10月: year to date) gives its last month's own figure: the total less what the ledger
records for the months before it in the column's period, so that the ledger's months add up to the sheet's
total; a column of one month gives that month's. The month is set (as `crm invest` sets it) when it differs.
A total below what the ledger records already is a warning, and nothing is written for it: the ledger's
earlier months are corrected by voiding them, never by an import.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from crm.audit import log as audit
from crm.deals.investment import record_invest, set_plan
from crm.deals.investment_fields import done_field, plan_field
from crm.foundation.i18n import _
from crm.importing.cells import amount_text, cell_text
from crm.importing.rows import Problem, RowPlan
from crm.values.money import Money, format_money
from db.models import AuditEntry, InvestmentDone, InvestmentPlan

#: The tables an import writes plans and months to, by their audit names.
MODELS = {"investment_plan": InvestmentPlan, "investment_done": InvestmentDone}


class Invested:
    """Writes the rows' plans and months; `replaced` keeps the rows it changed as they were (for revert)."""

    def __init__(self, report, actor: str):
        self.report, self.actor = report, actor
        self.replaced: dict = {table: {} for table in MODELS}  # table -> {row id: its columns before}

    def write(self, row: RowPlan, deal) -> None:
        """Write what `row` gives of `deal`'s plans and completed months (RowPlan.invested)."""
        for column, money in row.invested or ():
            if column.kind == "plan":
                self._plan(row, deal, column, money)
            else:
                self._month(row, deal, column, money)

    def _plan(self, row: RowPlan, deal, column, money: Money) -> None:
        held = InvestmentPlan.get_or_none((InvestmentPlan.deal == deal.id) & (InvestmentPlan.year == column.year))
        if money.amount == 0:  # no plan for the year: a plan the ledger has is kept, and said to differ
            if held is not None:
                self._warn(row, column, money, "plan_zero", _zero_plan(column, held))
            return
        if held is not None and (held.amount, held.currency) == (money.amount, money.currency):
            return
        self._keep("investment_plan", held)
        text = amount_text(money)
        set_plan(deal.code, column.year, text, self.actor)
        self.report.plans_set.append((row.row, deal.code, column.year, text))

    def _month(self, row: RowPlan, deal, column, money: Money) -> None:
        month = datetime.date(column.year, column.month, 1)
        months = list(
            InvestmentDone.select().where(
                (InvestmentDone.deal == deal.id)
                & InvestmentDone.month.between(datetime.date(column.year, column.first, 1), month)
            )
        )
        earlier = [d for d in months if d.month < month and d.voided_at is None]
        if any(d.currency != money.currency for d in earlier):
            self._warn(row, column, money, "investment_currency", _other_currency(column, money, earlier))
            return
        held = sum((d.amount for d in earlier), Decimal("0.00"))
        amount = money.amount - held
        this = next((d for d in months if d.month == month), None)
        standing = this if this is not None and this.voided_at is None else None
        if amount < 0:
            self._warn(row, column, money, "investment_lower", _lower(column, money, held, deal.code))
            return
        if amount == 0:
            if standing is not None and standing.amount:
                self._warn(row, column, money, "investment_month_zero", _month_zero(column, standing, deal.code))
            return
        if standing is not None and (standing.amount, standing.currency) == (amount, money.currency):
            return
        self._keep("investment_done", this)
        text = f"{amount}{money.currency}"
        record_invest(deal.code, text, month, self.actor)
        self.report.investments_set.append((row.row, deal.code, f"{month:%Y-%m}", text))

    def _keep(self, table: str, found) -> None:
        """Keep the row `found` (None: a new one is added) as it is now, the first time the import changes it."""
        if found is None or found.id in self.replaced[table]:
            return
        data = found.__data__
        self.replaced[table][found.id] = {
            name: f.db_value(data.get(f.name)) for name, f in type(found)._meta.columns.items() if name != "id"
        }

    def _warn(self, row: RowPlan, column, money: Money, code: str, message: str) -> None:
        cells = getattr(row.raw, "cells", None)
        value = cells[column.col] if cells is not None and column.col < len(cells) else format_money(money)
        self.report.warnings.append(Problem(row.row, column.label, cell_text(value), code, message))


def _money(amount: Decimal, currency: str) -> str:
    return format_money(Money(amount, currency))


def _zero_plan(column, held: InvestmentPlan) -> str:
    return _(
        "The sheet gives 0 as the plan for {year}, and the ledger has {held}: the ledger keeps {held}; if the plan "
        "has changed, set it with crm plan CODE {year} AMOUNT"
    ).format(year=column.year, held=_money(held.amount, held.currency))


def _period(column) -> str:
    return f"{column.year}-{column.first:02d}…{column.year}-{column.month:02d}"


def _lower(column, money: Money, held: Decimal, code: str) -> str:
    return _(
        "The sheet gives {sheet} as the investment completed in {period}, less than the {held} the ledger records "
        "for {code} in the months before {month}: nothing written; if the sheet is right, void the wrong months "
        "(crm invest void CODE --month YYYY-MM --note WHY) and import the sheet again"
    ).format(
        sheet=_money(money.amount, money.currency),
        period=_period(column),
        held=_money(held, money.currency),
        code=code,
        month=f"{column.year}-{column.month:02d}",
    )


def _month_zero(column, standing: InvestmentDone, code: str) -> str:
    return _(
        "By the sheet nothing was completed in {month}, but the ledger records {held} for {code} then: the ledger "
        "keeps it; if the sheet is right, void that month (crm invest void {code} --month {month} --note WHY)"
    ).format(month=f"{column.year}-{column.month:02d}", held=_money(standing.amount, standing.currency), code=code)


def _other_currency(column, money: Money, earlier: list) -> str:
    currencies = sorted({d.currency for d in earlier if d.currency != money.currency})
    return _(
        "The ledger records months before {month} in {currencies}, the sheet's total is in {currency}: nothing "
        "written, since the two cannot be subtracted; record {month} with crm invest CODE AMOUNT --month {month}"
    ).format(month=f"{column.year}-{column.month:02d}", currencies="、".join(currencies), currency=money.currency)


# ---- revert -------------------------------------------------------------------------------------------------


def put_back(replaced: dict, actor: str) -> None:
    """Put the plans and months an import replaced (`replaced`: table -> {row id: columns before}) back as they
    were, each with its trail entry (from the import's figure to the one before it)."""
    for table, rows in replaced.items():
        model = MODELS[table]
        for row_id, before in rows.items():
            now = model.get_or_none(model.id == int(row_id))
            if now is None:  # its deal was created by the import, and is gone with it
                continue
            columns = {model._meta.columns[c]: model._meta.columns[c].python_value(v) for c, v in before.items()}
            model.update(columns).where(model.id == now.id).execute()
            was = model.get_by_id(now.id)
            field = plan_field(now.year) if model is InvestmentPlan else done_field(now.month)
            audit.record(
                table, now.id, {field: (f"{now.amount} {now.currency}", f"{was.amount} {was.currency}")}, actor
            )


def later_entries(ids: dict, later) -> list[tuple]:
    """(entry id, deal id, actor) of each trail entry `later` selects on a plan or month the import recorded in
    `ids` (its marks) added or replaced, in order: a change since that a revert would undo."""
    found = []
    for table, model in MODELS.items():
        before, after = ids["before"].get(table), ids["after"].get(table)
        mine = AuditEntry.row_id.in_([int(k) for k in ids.get("investment", {}).get(table, {})])
        if before is not None and after is not None:
            mine |= AuditEntry.row_id.between(before + 1, after)
        found.extend(
            AuditEntry.select(AuditEntry.id, model.deal, AuditEntry.actor)
            .join(model, on=(AuditEntry.row_id == model.id))
            .where(later & (AuditEntry.table == table) & mine)
            .tuples()
        )
    return sorted(found)
