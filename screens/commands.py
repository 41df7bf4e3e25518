"""Command palette: find a deal by what you would type in the search box and open it."""

from __future__ import annotations

import functools

from textual.command import DiscoveryHit, Hit, Hits, Provider

from crm.foundation.i18n import _
from crm.listing import pages as deal_pages
from screens import text

LIMIT = 8


class DealSearchProvider(Provider):
    """Deals whose code, name, investor or pinyin initials match the palette's query."""

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if len(query) < 2:
            return
        # archived deals as the deal list shows them: when it lists them (A), and by their exact code
        listed = getattr(self.app, "deal_filter", None)
        flt = deal_pages.ListFilter(search=query, archived=bool(listed and listed.archived))
        rows = await self.app.db.run(deal_pages.first_rows, flt, deal_pages.Order(), LIMIT)
        for row in rows:
            title = f"{row.code}  {row.name}"
            shown = _("Open deal · {region} · {stage} · {amount}").format(
                region=row.region or "—",
                stage=text.stage(row.stage),
                amount=text.money(row.amount, row.currency, row.approximate),
            )
            yield Hit(
                1.0,
                self.matcher(query).highlight(title),
                functools.partial(self._open, row.code),
                text=title,
                help=shown + " · " + _("archived") if row.archived else shown,
            )

    async def discover(self) -> Hits:
        yield DiscoveryHit(
            _("Open a deal: type its code, name or pinyin initials"), lambda: None, help=_("e.g. 涿州 or zzgyl")
        )

    def _open(self, code: str) -> None:
        from screens.detail import open_deal

        if self.app.current_mode != "deals":
            self.app.switch_mode("deals")
        open_deal(self.app, code)
