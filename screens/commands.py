"""Command palette: find a deal by what you would type in the search box and open it; revert an import; the key
of a palette command on the current screen, where it has one."""

from __future__ import annotations

import functools

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

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


class ImportsProvider(Provider):
    """撤销导入: the imports recorded (crm import list), to revert one after a dialog says what it undoes."""

    def _commands(self) -> list[tuple[str, str]]:
        return [(_("Revert an import"), _("List the imports recorded and undo one, after saying what it undoes"))]

    async def discover(self) -> Hits:
        for title, help_text in self._commands():
            yield DiscoveryHit(title, self._open, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text in self._commands():
            score = max(matcher.match(title), matcher.match(help_text) / 2)
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._open, text=title, help=help_text)

    def _open(self) -> None:
        from screens.imports import open_imports

        open_imports(self.app)


def bound_key(screen: Screen, action: str) -> str | None:
    """The key that runs the app's `action` (e.g. "export") on `screen`, as the footer shows it; None when no key
    there does (a screen's own action of that name is another action)."""
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        named = binding.action == f"app.{action}" or (binding.action == action and isinstance(node, App))
        if named and enabled:
            return screen.app.get_key_display(binding)
    return None


def keyed(help_text: str, screen: Screen, action: str) -> str:
    """A palette command's help with the key of `action` on `screen` after it, when the screen has one."""
    key = bound_key(screen, action)
    return help_text if key is None else _("{what} ({key})").format(what=help_text, key=key)
