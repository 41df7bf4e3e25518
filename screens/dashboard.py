"""Dashboard: the KPIs of a chosen cohort (all deals, a signing year, an
event) and charts of its investment by stage and by region."""

from __future__ import annotations

import asyncio
import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Select, Static

from crm.audit import latest as latest_change
from crm.deals.stages import STAGES
from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.listing import groups
from crm.listing.pages import ListFilter
from crm.reference import fx
from crm.reference.views import event_infos
from crm.reporting import kpi, lights, series
from crm.reporting.cohorts import event_cohort, signing_years, year_cohort
from screens import text
from screens.arrival import FiguresOnArrival
from screens.base import CrmScreen
from screens.charts import INVEST_COLOUR, SIGNINGS_COLOUR, STARTS_COLOUR, Bar, BarChart, MonthSeries
from screens.keys_footer import KeysFooter

PLOT_HEIGHT = 14  # lines of each monthly plot
# Below this many columns a KPI tile in a row of four has too few cells for its English label, total and notes
# (a label over two lines pushed the note out of the tile): the tiles go two to a row.
TILES_FOUR_A_ROW = 134


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
    """The figures of a visit, and the ledger's latest change when they were read (crm.audit.latest): while both
    stay the same, the lights, the monthly chart and the cohort choices shown need not be computed again."""

    kpis: kpi.Kpis
    regions: list
    last_change: int = 0


def _dashboard(key: str, today, list_filter: ListFilter | None = None) -> DashboardData:
    cohort = cohort_filter(key, list_filter)
    return DashboardData(kpi.compute(cohort, today), groups.region_totals(cohort), latest_change())


def cohort_lights(key: str, day: datetime.date, list_filter: ListFilter | None = None) -> lights.LightCounts:
    """How many signed deals of the cohort are green, yellow and red on `day` (crm.reporting.lights)."""
    return lights.counts(cohort_filter(key, list_filter), day).get(None, lights.LightCounts())


def chart_year(key: str, today: datetime.date) -> int:
    """The year the monthly chart shows: the signing year of a year cohort, else this year."""
    return int(key[5:]) if key.startswith("year:") else today.year


def month_series(key: str, today: datetime.date, list_filter: ListFilter | None = None) -> MonthSeries:
    """Deals signed, net new starts (开工 or beyond) and investment completed, month by month of chart_year.

    Each month is the difference of `crm kpi --as-of` at its end and at the previous month's end
    (completed investment counts from 1 January, so January's is its own figure).
    """
    year = chart_year(key, today)
    last = datetime.date(year, 12, 31) if year < today.year else today
    if year > today.year:
        return MonthSeries(year, [], [], [], [])
    # the chart names no rates: not read
    results = series.series(
        "monthly", datetime.date(year - 1, 12, 1), last, cohort_filter(key, list_filter), rates=False
    )
    before, months = results[0], results[1:]
    signings, starts, invest = [], [], []
    for month in months:
        signings.append(month.kpis.deals - before.kpis.deals)
        starts.append(month.kpis.started - before.kpis.started)
        done = month.plan.invest_done_cny - (before.plan.invest_done_cny if month.day.month > 1 else Decimal(0))
        invest.append(float(done / Decimal(100_000_000)))
        before = month
    return MonthSeries(year, [m.day.month for m in months], signings, starts, invest)


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


TILES = {
    "deals": N_("Deals signed"),
    "total": N_("Total investment"),
    "fulfilment": N_("Fulfilment rate"),
    "start": N_("Start rate"),
    "operating": N_("Operating rate"),
    "funds": N_("Funds rate"),
    "blockers": N_("Blockers"),
    "resolution": N_("Resolution rate"),
}


def _tile_text(label: str, value: str, note: str = "") -> str:
    return f"[dim]{label}[/]\n[b]{value}[/]\n[dim]{note}[/]"


def _update(widget: Static, content: str, layout: bool = True) -> None:
    """Show `content` in `widget` unless it shows it already (an update lays the whole screen out again)."""
    if str(widget.content) != content:
        widget.update(content, layout=layout)


class DashboardScreen(FiguresOnArrival, CrmScreen):
    MODE = "dashboard"
    BINDINGS = [
        Binding(
            "7", "app.show_screen('report')", N_("Report"), tooltip=N_("KPIs per region … of the deal list's deals")
        ),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="dashboard-screen")
        # Textual's switch_mode re-parses every stylesheet and restyles the whole app for a screen whose CSS count
        # is behind the app's, as a new one's is (-1); this one's widgets are styled as they mount: nothing is stale.
        self._css_update_count = self.app._css_update_count
        self._choice_keys = {"all"}  # the cohorts the Select offers so far
        self._choice_options: list = []  # the (label, key) the Select offers, once the choices are read
        self._choices_for: int | None = None  # the ledger's latest change when the cohort choices were asked
        self._shown: DashboardData | None = None  # the figures on screen
        self._extras_for: tuple | None = None  # (cohort, day, filter) and figures the lights and monthly chart are for
        self._extras_mounted: asyncio.Future | None = None  # the lights line and the chart's place being mounted

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dashboard"):
            yield Select([(_("All deals"), "all")], id="cohort", value="all", allow_blank=False, compact=True)
            with Grid(id="kpi-tiles"):
                for key, label in TILES.items():
                    # until the first figures are in (a slow or frozen server): what each tile will show
                    yield Static(_tile_text(_(label), "…", _("Computing…")), id=f"tile-{key}", classes="tile")
            with Horizontal(id="charts"):
                yield BarChart(id="chart-stage", classes="chart")
                yield BarChart(id="chart-region", classes="chart")
            yield Static("", id="dashboard-rates", classes="dialog-line")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Dashboard")
        self.follow_arrivals()

    def on_resize(self) -> None:
        self.query_one("#kpi-tiles", Grid).set_class(self.size.width < TILES_FOUR_A_ROW, "-two-columns")

    async def _load_choices(self) -> None:
        try:
            choices = await self.db.run_aggregate(_choices)
        except CrmError:
            self._choices_for = None  # asked again with the next figures (after the server came back)
            raise
        options = [(_("All deals"), "all"), (_("The deal list's filter"), "list")]
        options += [(_("Signed in {year}").format(year=y), f"year:{y}") for y in choices.years]
        options += [
            (f"{name} ({held.year})" if held else name, f"event:{ident}") for ident, name, held in choices.events
        ]
        if options == self._choice_options:
            return  # asked again after a change of the ledger that added no year or event
        select = self.query_one("#cohort", Select)
        self._choice_options = options
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

        def tile(name: str, value: str, note: str = "") -> None:
            # a tile's size is set by the stylesheet: new figures need no layout of the whole screen
            _update(self.query_one(f"#tile-{name}", Static), _tile_text(_(TILES[name]), value, note), layout=False)

        tile("deals", str(k.deals), _("{n} open blockers").format(n=k.blockers_open))
        total = text.yi_label(k.total_cny) + (_(" (some amounts are approximate)") if k.approximate else "")
        by_currency = "  ".join(text.money(v, cur) for cur, v in sorted(k.by_currency.items()) if cur != "CNY")
        tile("total", total, by_currency)
        tile("fulfilment", text.percent(k.fulfilment_rate), _("{n} registered or beyond").format(n=k.fulfilled))
        tile("start", text.percent(k.start_rate), _("{n} under construction or beyond").format(n=k.started))
        tile("operating", text.percent(k.operating_rate), _("{n} operating").format(n=k.operating))
        tile("funds", text.percent(k.funds_rate), _("{amount} arrived").format(amount=text.yi_label(k.funds_cny)))
        tile(
            "blockers",
            f"{k.blockers_open} / {k.blockers_resolved} / {k.blockers_overdue}",
            _("open / resolved / overdue"),
        )
        tile("resolution", text.percent(k.resolution_rate), _("{n} raised").format(n=k.blockers_raised))
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
        rates = _("; ").join(fx.describe_rate(r) for r in k.fx_used) or _("none (all CNY)")
        _update(self.query_one("#dashboard-rates", Static), _("Exchange rates used: {rates}").format(rates=rates))
        self._shown = data
        self.run_worker(self._after_the_frame, group="dashboard-rest")

    async def _after_the_frame(self) -> None:
        # After the frame that shows these figures: their queries' threads would take the interpreter from it.
        painted = asyncio.get_running_loop().create_future()
        self.call_after_refresh(painted.set_result, None)
        await painted
        self._ask_the_rest()

    def _ask_the_rest(self) -> None:
        """The cohort choices, the lights and the monthly chart, each read once the figures are on screen: on the
        first visit, and again on a later one when the figures shown say the ledger changed since they were read
        (its latest change, or the figures themselves, differ) or another cohort or day is wanted; never twice for
        the same ledger (at scale the lights and the chart take seconds)."""
        data = self._shown
        if data is None:
            return
        if self._choices_for != data.last_change:
            # Asked only now: the first visit shows the chosen cohort's figures without waiting for the
            # list of the other cohorts, which would otherwise hold up the totals thread before them.
            self._choices_for = data.last_change
            self.run_worker(self._load_choices, group="dashboard-choices")
        wanted = self._wanted()
        if (wanted, data) != self._extras_for:
            # Lights and the monthly chart in the thread for long work: at scale they take seconds (a series
            # is one as-of KPI per month) and must hold up neither the visit nor the totals.
            self._extras_for = (wanted, data)
            self.run_worker(functools.partial(self._load_extras, *wanted), exclusive=True, group="dashboard-extras")

    async def _mount_extras(self) -> None:
        """The lights line and the monthly chart's place, mounted after the first figures (not in compose: fewer
        widgets to build and style before the visit's first frame), once: a newer figures' worker that cancels an
        older one mounting them waits for that mounting, which goes on."""
        if self._extras_mounted is None:
            self._extras_mounted = asyncio.ensure_future(self._mount_extras_once())
        await asyncio.shield(self._extras_mounted)

    async def _mount_extras_once(self) -> None:
        # Styled here, not in a stylesheet rule, which Textual would parse (with every other rule again) on the
        # first visit.
        lights_line = Static("", id="dashboard-lights")
        lights_line.styles.height = 1
        lights_line.styles.margin = (1, 0, 0, 0)
        legend = Static("", id="month-legend")
        legend.styles.height = "auto"
        plots = Horizontal(id="month-plots")
        plots.styles.height = PLOT_HEIGHT
        chart = Vertical(legend, plots, id="month-chart")
        chart.styles.height = "auto"
        chart.styles.margin = (1, 0, 0, 0)
        box = self.query_one("#dashboard", VerticalScroll)
        await box.mount(lights_line, before="#charts")
        await box.mount(chart, after="#charts")

    async def _load_extras(self, key: str, today: datetime.date, flt: ListFilter | None) -> None:
        await self._mount_extras()
        lights_line = self.query_one("#dashboard-lights", Static)
        legend = self.query_one("#month-legend", Static)
        _update(lights_line, _("Lights: counting…"), layout=False)
        _update(legend, self._legend(chart_year(key, today)) + "  " + _("(computing…)"), layout=False)
        try:
            lit = await self.db.run_long(cohort_lights, key, today, flt)
            _update(lights_line, self._lights_text(lit, today), layout=False)
            months = await self.db.run_long(month_series, key, today, flt)
            plots = await self._month_plots(months)
        except CrmError as err:
            self._extras_for = None  # asked again on the next visit
            _update(lights_line, str(err), layout=False)
            return
        for plot in plots:
            plot.styles.width = "1fr"
            plot.styles.height = PLOT_HEIGHT
            plot.styles.margin = (0, 2, 0, 0)
        box = next(iter(self.query("#month-plots").results(Horizontal)), None)
        if box is None:  # the app quit meanwhile: its screens' widgets are being removed
            return
        with self.app.batch_update():
            # laid out with the plots: the legend was two lines while it said (computing…)
            _update(legend, self._legend(months.year))
            await box.remove_children()
            await box.mount_all(plots)

    @staticmethod
    async def _month_plots(months: MonthSeries) -> list:
        from screens import charts

        # textual_plotext is imported in a thread on the first chart: the screen stays responsive meanwhile
        await asyncio.to_thread(__import__, "textual_plotext")
        return charts.month_plots(months)

    @staticmethod
    def _lights_text(lit: lights.LightCounts, today: datetime.date) -> str:
        return _(
            "Lights on {day}: [$warning]● {yellow} yellow[/]  [$error]● {red} red[/]  ● {green} green"
            "  [dim](behind the year's plan, or planned start passed without starting)[/]"
        ).format(day=today.isoformat(), yellow=lit.yellow, red=lit.red, green=lit.green)

    @staticmethod
    def _legend(year: int) -> str:
        return _(
            "By month, {year}: [{signings}]■[/] deals signed  [{starts}]■[/] new starts (net)"
            "   [{invest}]■[/] investment completed, 100m CNY (right)"
        ).format(year=year, signings=SIGNINGS_COLOUR, starts=STARTS_COLOUR, invest=INVEST_COLOUR)

    def action_refresh(self) -> None:
        """Read again everything shown: the figures, then the lights, the monthly chart and the cohort choices."""
        self._extras_for = None  # read again even where the figures and the ledger's latest change look the same
        self._choices_for = None
        self.load()
