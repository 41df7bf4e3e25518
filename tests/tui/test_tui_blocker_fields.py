"""A blocker's fields (screens.dialogs.BlockerFields), the same in the dialog that adds a blocker (`b`) and in
the one that corrects it (`e` on the Blockers screen): its text, the department chosen from the ledger's
departments, its due date; the text has the focus once the departments are read."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Select

from crm.reference.views import department_names
from db.models import Blocker, Department
from screens.app import CrmApp
from tests.tui_support import (
    TODAY,
    press,
    run_async,
    settle,
    sqlite_only,  # noqa: F401 — the dialogs' fields: SQLite alone
)

PROMPT = "责任单位"  # the department Select's prompt, its blank choice


def offered(select: Select) -> list[str]:
    """What a department Select lists: its prompt (the blank choice), then the departments to choose from."""
    overlay = select.query_one(OptionList)
    return [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]


def fields(dialog, prefix: str) -> tuple[Input, Select, Input]:
    return (
        dialog.query_one(f"#{prefix}-text", Input),
        dialog.query_one(f"#{prefix}-department", Select),
        dialog.query_one(f"#{prefix}-due", Input),
    )


@run_async
async def test_adding_and_correcting_a_blocker_offer_every_department_of_the_ledger(demo_ledger):
    names = department_names()
    recorded = Blocker.get_by_id(4)
    recorded_department = Department.get_by_id(recorded.department_id).name
    assert len(names) > 1 and recorded_department in names
    async with CrmApp(today=TODAY, lang="zh").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "b")
        add = pilot.app.screen
        assert type(add).__name__ == "BlockerDialog"
        text, department, due = fields(add, "blocker")
        assert (text.value, department.value, due.value) == ("", Select.NULL, "")
        assert text.placeholder == "影响项目推进的问题"  # says what to write while empty
        assert offered(department) == [PROMPT, *names]
        assert add.focused is text
        await press(pilot, "escape")

        await press(pilot, "3")
        table = pilot.app.screen.query_one("DataTable")
        table.move_cursor(row=table.get_row_index("4"))
        await press(pilot, "e")
        edit = pilot.app.screen
        assert type(edit).__name__ == "BlockerEditDialog"
        text, department, due = fields(edit, "edit-blocker")
        shown_due = recorded.due_on.isoformat() if recorded.due_on else ""
        assert (text.value, department.value, due.value) == (recorded.text, recorded_department, shown_due)
        assert offered(department) == [PROMPT, *names]  # the recorded one chosen, every other one offered
        assert edit.focused is text
