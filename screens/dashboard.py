"""Dashboard: the KPIs of a chosen cohort (all deals, a signing year, an
event) and charts of its investment by stage and by region."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Header, Select, Static

from crm.deals.stages import STAGES
from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.listing import pages as deal_pages
from crm.listing.pages import ListFilter
from crm.reference import fx
from crm.reference.views import event_infos
from crm.reporting import kpi
from crm.reporting.cohorts import event_cohort, signing_years, year_cohort
from screens import text
from screens.arrival import FiguresOnArrival
from screens.base import CrmScreen
from screens.charts import Bar, BarChart
from screens.keys_footer import KeysFooter


@dataclass(frozen=True)
class CohortChoices:
    years: list
    events: list  # (id, name, held_on)


def _choices() -> CohortChoices:
    return CohortChoices(signing_years(), [(e.id, e.name, e.held_on) for e in event_infos()])


def cohort_filter(key: str, list_filter: ListFilter | None = None) -> ListFilter:
    """The deals of the cohort `key`: "all", "year:2020", "event:3", or "list" (the deal list's filter)."""
    if key == "list":
        return list_filter or ListFilter()
    if key.startswith("year:"):
        return year_cohort(int(key[5:]))
    if key.startswith("event:"):
        return event_cohort(int(key[6:]))
    return ListFilter()


@dataclass(frozen=True)
class DashboardData:
    kpis: kpi.Kpis
    regions: list


def _dashboard(key: str, today, list_filter: ListFilter | None = None) -> DashboardData:
    cohort = cohort_filter(key, list_filter)
    return DashboardData(kpi.compute(cohort, today), deal_pages.region_totals(cohort))


def _list_filter(app) -> ListFilter | None:
    flt = getattr(app, "deal_filter", None)
    return None if flt is None or flt.is_empty() else flt


def _wanted_cohort(app) -> str:
    """The cohort chosen; until one is, the deal list's filter when it has one (the Board follows it too)."""
    chosen = getattr(app, "dashboard_cohort", None)
    if chosen == "list" or chosen is None:
        return "list" if _list_filter(app) is not None else "all"
    return chosen


def prefetch(app) -> asyncio.Task:
    """Start computing the KPIs as the Dashboard's key is pressed (see CrmApp.action_show_screen).

    They are then computed in the totals thread while Textual switches
    screens, instead of after.
    """
    key, today, flt = _wanted_cohort(app), app.today, _list_filter(app)
    return app.prefetch("dashboard", (key, today, flt), _dashboard, key, today, flt)


def _update(widget: Static, content: str, layout: bool = True) -> None:
    """Show `content` in `widget` unless it shows it already (an update lays the whole screen out again)."""
    if str(widget.content) != content:
        widget.update(content, layout=layout)


class DashboardScreen(FiguresOnArrival, CrmScreen):
    MODE = "dashboard"
    BINDINGS = [Binding("ctrl+r", "refresh", N_("Refresh"), show=False)]

    def __init__(self) -> None:
        super().__init__(id="dashboard-screen")
        self._choice_keys = {"all"}  # the cohorts the Select offers so far
        self._choices_asked = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dashboard"):
            yield Select([(_("All deals"), "all")], id="cohort", value="all", allow_blank=False, compact=True)
            with Grid(id="kpi-tiles"):
                for key in ("deals", "total", "fulfilment", "start", "operating", "funds", "blockers", "resolution"):
                    yield Static("", id=f"tile-{key}", classes="tile")
            with Horizontal(id="charts"):
                yield BarChart(id="chart-stage", classes="chart")
                yield BarChart(id="chart-region", classes="chart")
            yield Static("", id="dashboard-rates", classes="dialog-line")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Dashboard")
        self.follow_arrivals()

    async def _load_choices(self) -> None:
        try:
            choices = await self.db.run_aggregate(_choices)
        except CrmError:
            self._choices_asked = False  # asked again with the next figures (after the server came back)
            raise
        options = [(_("All deals"), "all"), (_("The deal list's filter"), "list")]
        options += [(_("Signed in {year}").format(year=y), f"year:{y}") for y in choices.years]
        options += [
            (f"{name} ({held.year})" if held else name, f"event:{ident}") for ident, name, held in choices.events
        ]
        select = self.query_one("#cohort", Select)
        self._choice_keys = {key for _label, key in options}
        with self.prevent(Select.Changed):
            select.set_options(options)
            self._choose(select, _wanted_cohort(self.app))

    def _choose(self, select: Select, key: str) -> None:
        """Show `key` as the chosen cohort, if it is among the choices loaded so far."""
        if select.value != key and key in self._choice_keys:
            select.value = key

    def _wanted(self) -> tuple:
        return _wanted_cohort(self.app), self.today, _list_filter(self.app)

    def on_screen_resume(self) -> None:
        with self.prevent(Select.Changed):  # the figures below are for the cohort the app wants
            self._choose(self.query_one("#cohort", Select), _wanted_cohort(self.app))
        if not self.shown_on_arrival():
            self.load()

    @on(Select.Changed, "#cohort")
    def _cohort(self, event: Select.Changed) -> None:
        if len(self._choice_keys) == 1 or event.value == _wanted_cohort(self.app):
            return  # the Select setting itself up (its only option before the choices are in), or no change
        self.app.dashboard_cohort = event.value
        self.load()

    def load(self) -> None:
        self.run_worker(functools.partial(self._load, _wanted_cohort(self.app)), exclusive=True, group="dashboard")

    async def _load(self, key: str) -> None:
        flt = _list_filter(self.app) if key == "list" else None
        self.sub_title = _("Dashboard")
        if key == "list":
            self.sub_title += "  ·  " + _("filtered: {filters}").format(
                filters=getattr(self.app, "deal_filter_text", "")
            )
        try:
            data = await self.figures((key, self.today, flt), _dashboard, key, self.today, flt)
        except CrmError as err:
            self.notify(text.shown(err), severity="error")
            return
        self._show(data)

    def _show(self, data: DashboardData) -> None:
        k = data.kpis

        def tile(name: str, label: str, value: str, note: str = "") -> None:
            # a tile's size is set by the stylesheet: new figures need no layout of the whole screen
            _update(
                self.query_one(f"#tile-{name}", Static), f"[dim]{label}[/]\n[b]{value}[/]\n[dim]{note}[/]", layout=False
            )

        tile("deals", _("Deals signed"), str(k.deals), _("{n} open blockers").format(n=k.blockers_open))
        total = text.yi_label(k.total_cny) + (_(" (at least)") if k.approximate else "")
        by_currency = "  ".join(text.money(v, cur) for cur, v in sorted(k.by_currency.items()) if cur != "CNY")
        tile("total", _("Total investment"), total, by_currency)
        tile(
            "fulfilment",
            _("Fulfilment rate"),
            text.percent(k.fulfilment_rate),
            _("{n} registered or beyond").format(n=k.fulfilled),
        )
        tile(
            "start",
            _("Start rate"),
            text.percent(k.start_rate),
            _("{n} under construction or beyond").format(n=k.started),
        )
        tile("operating", _("Operating rate"), text.percent(k.operating_rate), _("{n} operating").format(n=k.operating))
        tile(
            "funds",
            _("Funds rate"),
            text.percent(k.funds_rate),
            _("{amount} arrived").format(amount=text.yi_label(k.funds_cny)),
        )
        tile(
            "blockers",
            _("Blockers"),
            f"{k.blockers_open} / {k.blockers_resolved} / {k.blockers_overdue}",
            _("open / resolved / overdue"),
        )
        tile(
            "resolution",
            _("Resolution rate"),
            text.percent(k.resolution_rate),
            _("{n} raised").format(n=k.blockers_raised),
        )
        stage_bars = [
            Bar(
                s.label(),
                k.cny_by_stage.get(s.key, 0),
                f"{text.yi(k.cny_by_stage.get(s.key, 0))} ({k.by_stage.get(s.key, 0)})",
            )
            for s in STAGES
            if s.key != "negotiating"
        ]
        self.query_one("#chart-stage", BarChart).set_bars(_("Investment by stage, 100m CNY (deals)"), stage_bars)
        region_bars = [Bar(g.key or "—", g.total_cny, f"{text.yi(g.total_cny)} ({g.deals})") for g in data.regions[:12]]
        title = _("Investment by region, 100m CNY (deals)")
        if len(data.regions) > 12:
            title += " " + _("— the 12 largest of {n}").format(n=len(data.regions))
        self.query_one("#chart-region", BarChart).set_bars(title, region_bars)
        rates = "; ".join(fx.describe_rate(r) for r in k.fx_used) or _("none (all CNY)")
        _update(self.query_one("#dashboard-rates", Static), _("Exchange rates used: {rates}").format(rates=rates))
        if not self._choices_asked:
            # Asked only now: the first visit shows the chosen cohort's figures without waiting for the
            # list of the other cohorts, which would otherwise hold up the totals thread before them.
            self._choices_asked = True
            self.run_worker(self._load_choices, group="dashboard-choices")

    def action_refresh(self) -> None:
        self.load()
