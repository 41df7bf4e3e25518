"""i on the Detail screen: record a month's completed investment (完成投资) or set a year's plan (年度计划投资).

Saved through crm.deals.investment (record_invest / set_plan), audited there;
setting a month or a year again replaces its figure, and the timeline shows
both with the year's cumulative completion.
"""

from __future__ import annotations

import functools

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from crm.deals.investment import check_year, parse_month, record_invest, set_plan
from crm.foundation.errors import CrmError
from crm.foundation.i18n import _
from screens.forms import FormRow, read_amount, show_hint, unit_question
from screens.sending import SavingDialog

DONE, PLAN = "done", "plan"


class InvestmentDialog(SavingDialog):
    """Dismisses with True when saved, None when cancelled."""

    def __init__(self, code: str, currency: str = "CNY") -> None:
        super().__init__()
        self.code = code
        self.currency = currency

    def dialog_title(self) -> str:
        return _("Investment") + f" · {self.code}"

    def fields(self) -> ComposeResult:
        kinds = [(_("Completed in a month"), DONE), (_("Plan for a year"), PLAN)]
        yield FormRow(
            _("Record"),
            Select(kinds, id="invest-kind", value=DONE, allow_blank=False, compact=True),
            "hint-kind",
            required=True,
        )
        yield FormRow(
            _("Month or year"), Input(self.today.strftime("%Y-%m"), id="invest-period", compact=True), "hint-period"
        )
        yield FormRow(
            _("Amount"), Input(id="invest-amount", compact=True, placeholder="5000万元"), "hint-amount", required=True
        )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#invest-amount", Input))

    @on(Select.Changed, "#invest-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        period = self.query_one("#invest-period", Input)
        if event.value == PLAN and "-" in period.value:
            period.value = period.value.split("-")[0]
        elif event.value == DONE and period.value.strip().isdigit():
            period.value = f"{period.value.strip()}-{self.today.month:02d}"

    def _period(self):
        """(month or year, error) for what the period field holds."""
        raw = self.query_one("#invest-period", Input).value.strip()
        try:
            if self.query_one("#invest-kind", Select).value == PLAN:
                if not raw.isdigit():
                    return None, _("A plan year is a year such as 2020, not {year!r}").format(year=raw)
                return check_year(int(raw)), ""
            return parse_month(raw), ""
        except CrmError as err:
            return None, str(err)

    @on(Input.Changed, "#invest-period, #invest-amount")
    @on(Select.Changed, "#invest-kind")
    def _check(self) -> None:
        _period, error = self._period()
        show_hint(self.query_one("#hint-period", Static), error, bool(error))
        raw = self.query_one("#invest-amount", Input).value
        money, problem = read_amount(raw, self.currency) if raw.strip() else (None, "")
        problem = problem or unit_question(raw)
        shown = problem or (f"{money.currency} {money.amount:,.2f}" if money else "")
        show_hint(self.query_one("#hint-amount", Static), shown, bool(problem))

    def save(self) -> None:
        period, error = self._period()
        amount = self.query_one("#invest-amount", Input).value
        problem = error or unit_question(amount) or ("" if amount.strip() else _("Enter the amount"))
        if problem:
            self.show_error(problem)
            return
        if self.query_one("#invest-kind", Select).value == PLAN:
            write = functools.partial(self.run_save, set_plan, self.code, period, amount)
        else:
            write = functools.partial(self.run_save, record_invest, self.code, amount, period)
        self.run_worker(write, exclusive=True)
