"""Correcting a mistake: from the Detail screen archive or restore the deal,
void a funds entry, a month of completed investment or a blocker entered by
mistake, reverse the latest stage change, reopen a resolved blocker
(crm.deals.corrections); from the Blockers screen correct a blocker's text,
department or due date (crm.deals.blockers.edit_blocker); from the Rates
screen void a rate typed wrong (crm.reference.entries.rate_voided).

Nothing is erased: each dialog says what will happen, asks for the note the
audit trail keeps (required, restoring excepted), and saves through crm in
one audited transaction; the timeline then shows the correction.
"""

from __future__ import annotations

import datetime
import functools

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from crm.deals import blockers, corrections
from crm.foundation.i18n import _
from crm.reference.entries import RateEntry, rate_voided
from screens import text
from screens.dialogs import BlockerFields
from screens.forms import FormRow, hint_date, read_date
from screens.sending import SavingDialog


class CorrectionDialog(SavingDialog):
    """A correction of deal `code`: a line saying what it does, a note, Save."""

    note_required = True

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def explanation(self) -> str:
        raise NotImplementedError

    def fields(self) -> ComposeResult:
        # names and notes may come from spreadsheets: shown as escapes and plain text, never as markup
        yield Static(text.safe(self.explanation()), id="correction-what", classes="dialog-line", markup=False)
        yield from self.choices()
        yield FormRow(
            _("Note"),
            Input(id="correction-note", compact=True, placeholder=_("why: kept in the audit trail")),
            "hint-note",
            required=self.note_required,
        )

    def choices(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#correction-note", Input))

    def note(self) -> str | None:
        """The note typed; None (with the error shown) when one is required and none was written."""
        note = self.query_one("#correction-note", Input).value
        if self.note_required and not note.strip():
            self.show_error(_("Write a note saying why: the audit trail keeps it"))
            return None
        return note

    def write(self, fn, *args, **kwargs) -> None:
        self.run_worker(functools.partial(self.run_save, fn, *args, **kwargs), exclusive=True)


class ArchiveDialog(CorrectionDialog):
    """Archive deal `code` (it leaves lists and KPIs, every record kept), or restore it when `archived`."""

    def __init__(self, code: str, name: str, archived: dict | None) -> None:
        self.name_ = name
        self.archived = archived
        self.note_required = archived is None
        super().__init__(code)

    def dialog_title(self) -> str:
        title = _("Restore deal {code}") if self.archived else _("Archive deal {code}")
        return title.format(code=self.code)

    def explanation(self) -> str:
        if self.archived:
            return _("{name} was archived on {day} ({note}). Restore it to lists, KPIs and reports?").format(
                name=self.name_, day=self.archived["on"], note=self.archived["note"] or "—"
            )
        return _(
            "Archive {name}? It leaves lists, searches, KPIs and reports; every record is kept and it can be restored."
        ).format(name=self.name_)

    def save(self) -> None:
        note = self.note()
        if note is None:
            return
        if self.archived:
            self.write(corrections.unarchive_deal, self.code, note)
        else:
            self.write(corrections.archive_deal, self.code, note)


def void_choices(deal: dict) -> list[tuple[str, tuple]]:
    """The entries of `deal` (crm.listing.views.detail) that can be voided:
    (label, ("funds", id) | ("invest", month) | ("blocker", blocker))."""
    found = []
    for f in deal["funds"]:
        if not f["voided"]:
            label = _("Funds No. {id}: {amount} on {on}").format(
                id=f["id"], amount=text.money(f["amount"], f["currency"]), on=f["on"]
            )
            found.append((label, ("funds", f["id"])))
    for year in deal["investment"]:
        for m in year["months"]:
            label = _("Completed investment {month}: {amount}").format(
                month=m["month"], amount=text.money(m["amount"], m["currency"])
            )
            found.append((label, ("invest", m["month"])))
    for b in deal["blockers"]:
        label = _("Blocker No. {id}: {text} ({department})").format(
            id=b["id"], text=text.plain(b["text"]), department=b["department"]
        )
        found.append((label, ("blocker", b)))
    return found


def blocker_void_explanation(b: dict) -> str:
    """What voiding blocker `b` (a deal detail's) does, said before the officer confirms it."""
    state = (
        _("resolved on {day}").format(day=b["resolved_on"])
        if b["resolved_on"]
        else _("due {day}").format(day=b["due_on"])
        if b["due_on"]
        else _("open, no due date")
    )
    return _(
        "Void blocker No. {id} “{text}” ({department}, {state}) as entered by mistake? It leaves every count "
        "(open, resolved, 办结率, overdue, the weekly table) and stays in the deal's history, marked voided, "
        "with your name and the reason."
    ).format(id=b["id"], text=b["text"], department=b["department"], state=state)


class VoidDialog(CorrectionDialog):
    """Void one funds entry or one month of completed investment: it stays listed, marked, and leaves every sum."""

    def __init__(self, code: str, entries: list[tuple[str, tuple]]) -> None:
        super().__init__(code)
        self.entries = entries

    def dialog_title(self) -> str:
        return _("Void an entry") + f" · {self.code}"

    def explanation(self) -> str:
        return _("The entry stays in the timeline, struck through, and leaves every total and KPI.")

    def choices(self) -> ComposeResult:
        options = [(label, n) for n, (label, _key) in enumerate(self.entries)]
        value = 0 if len(options) == 1 else Select.NULL
        yield FormRow(
            _("Entry"),
            Select(options, id="void-entry", prompt=_("Choose the entry"), value=value, compact=True),
            "hint-entry",
            required=True,
        )

    def on_mount(self) -> None:
        select = self.query_one("#void-entry", Select)
        self._explain(select.value)
        self.set_focus(select if select.value is Select.NULL else self.query_one("#correction-note", Input))

    @on(Select.Changed, "#void-entry")
    def _chosen(self, event: Select.Changed) -> None:
        self._explain(event.value)

    def _explain(self, chosen) -> None:
        """Say what the chosen entry's void does: a blocker leaves counts, funds and investment leave sums."""
        line = self.explanation()
        if chosen is not Select.NULL and self.entries[chosen][1][0] == "blocker":
            line = blocker_void_explanation(self.entries[chosen][1][1])
        self.query_one("#correction-what", Static).update(text.safe(line))

    def save(self) -> None:
        chosen = self.query_one("#void-entry", Select).value
        if chosen is Select.NULL:
            self.show_error(_("Choose the entry to void"))
            return
        note = self.note()
        if note is None:
            return
        kind, key = self.entries[chosen][1]
        if kind == "blocker":
            self.write(corrections.void_blocker, key["id"], note, if_version=key["version"])
        elif kind == "funds":
            self.write(corrections.void_funds, key, note)
        else:
            self.write(corrections.void_invest, self.code, datetime.date.fromisoformat(key + "-01"), note)


class UndoStageDialog(CorrectionDialog):
    """Reverse the deal's latest stage change: a new ledger entry back to the stage before, with a note."""

    def __init__(self, code: str, last: dict) -> None:
        super().__init__(code)
        self.last = last

    def dialog_title(self) -> str:
        return _("Reverse the latest stage change") + f" · {self.code}"

    def explanation(self) -> str:
        return _("{src} → {dst} of {on} is reversed: the deal is at {src} again, as it was before that day.").format(
            src=text.stage(self.last["from"]), dst=text.stage(self.last["to"]), on=self.last["on"]
        )

    def save(self) -> None:
        if (note := self.note()) is not None:
            self.write(corrections.undo_stage, self.code, note)


class ReopenDialog(CorrectionDialog):
    """Reopen a resolved blocker; its resolution stays in the audit trail."""

    def __init__(self, code: str, blocker: dict) -> None:
        super().__init__(code)
        self.blocker = blocker

    def dialog_title(self) -> str:
        return _("Reopen blocker {id}").format(id=self.blocker["id"])

    def explanation(self) -> str:
        return _("{text}: resolved on {day} ({how}). Reopen it?").format(
            text=self.blocker["text"], day=self.blocker["resolved_on"], how=self.blocker["resolution"] or "—"
        )

    def save(self) -> None:
        if (note := self.note()) is not None:
            self.write(corrections.reopen_blocker, self.blocker["id"], note)


class VoidRateDialog(CorrectionDialog):
    """Void an exchange rate: it stays listed and marked; what it converted is converted at the rate before it."""

    def __init__(self, rate: RateEntry) -> None:
        super().__init__(f"{rate.currency} {rate.on.isoformat()}")
        self.rate = rate

    def dialog_title(self) -> str:
        return _("Void rate {rate}").format(rate=self.code)

    def explanation(self) -> str:
        return _(
            "{rate} stays listed, marked as voided, and converts nothing: deals, funds and investment it "
            "converted use the rate before it. To correct a figure, set the right rate instead."
        ).format(rate=self.rate.described)

    def save(self) -> None:
        if (note := self.note()) is not None:
            self.write(rate_voided, self.rate.currency, self.rate.on, note)


class BlockerEditDialog(BlockerFields):
    """Correct a blocker's text, department or due date (each change audited); a blank due date clears it."""

    id_prefix = "edit-blocker"

    def __init__(self, blocker_id: int, about: str, department: str, due: datetime.date | None, version: int) -> None:
        """`about`: the blocker's text as recorded; `version`: the version shown, refused if changed since."""
        super().__init__(about, department, due)
        self.blocker_id, self.version = blocker_id, version

    def dialog_title(self) -> str:
        return _("Correct blocker {id}").format(id=self.blocker_id)

    @on(Input.Changed, "#edit-blocker-due")
    def _check_due(self, event: Input.Changed) -> None:
        hint_date(self.query_one("#hint-due", Static), event.value, self.today)

    def save(self) -> None:
        typed, department, due_text = self.typed()
        due, hint, bad = read_date(due_text, self.today)
        if bad:
            self.show_error(hint)
            return
        changes = {
            "text": typed if typed.strip() != self.about else None,
            "department": department if department not in (Select.NULL, self.department) else None,
            "due": due if due != self.due else blockers.KEEP,
        }
        if changes["text"] is None and changes["department"] is None and changes["due"] is blockers.KEEP:
            self.show_error(_("Nothing changed: correct the text, the department or the due date"))
            return
        self.run_worker(
            functools.partial(
                self.run_save, blockers.edit_blocker, self.blocker_id, if_version=self.version, **changes
            ),
            exclusive=True,
        )
