"""Which column a field is read from when several columns claim it, and the columns that say one thing twice.

County sheets head a stage column and a column of progress text side by side (目前阶段 | 项目进展情况), and both
read as the stage. The column whose header names the stage itself (阶段, 目前阶段, 当前阶段, 所处阶段, 项目状态,
进度阶段 …) gets the stage, whatever their order; the column of progress text (项目进展情况, 推进情况, 进展) is
then the progress column, its free text kept as progress entries, unless the sheet has one already (本周进展). A sheet with
only a progress column reads its stage from that column's words, as before. Beside a progress column a stage cell
gives its stage alone (前期洽谈), unless it says more than a stage (已开工，因资金问题暂停: kept as progress too).

An amount written twice, as a figure and in 大写 (总投资（亿元） | 总投资（大写）), is one amount: the figure's column
is the amount (the other, when --map names that one) and the other its twin (TWIN): a blank amount is taken from
the twin, and the two differing is a warning naming both.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from crm.foundation.i18n import _
from crm.importing.cells import cell_text, inline
from crm.importing.row_labels import normalise
from crm.values.money import Money, format_money

#: The field of the column giving the amount a second time, in another form (总投资（大写） beside 总投资（亿元）).
TWIN = "amount_twin"
#: What a header names the stage by (folded): the stage itself, not the progress made (进展, 推进情况, 建设进度).
_NAMES_THE_STAGE = re.compile(r"阶段|状态|^(?:current)?(?:stage|status|phase)$")
#: A header of an amount written out in words (总投资（大写）, 大写金额).
_IN_WORDS = re.compile(r"大写")
#: Where one thing said in a cell ends and another starts (NFKC: full-width punctuation is ASCII by then).
_CLAUSES = re.compile(r"[,;。.!?、\s]")


def names_the_stage(label) -> bool:
    """Whether a header names the stage itself (目前阶段, 项目状态, stage), not the progress made (项目进展情况)."""
    return _NAMES_THE_STAGE.search(normalise(label)) is not None


def claim_rank(field: str, match, col: int, label, hidden: frozenset) -> tuple:
    """How a column's claim to `field` ranks (the lowest wins; a tie goes to the first column): a visible column
    over a hidden one unless the user named it (--map), the user's word over any match, for the stage a header
    naming the stage over one of progress text, then how closely the header matched (HeaderMatch rank, order)."""
    user = match.rank < 0
    stage_text = field == "stage" and not names_the_stage(label)
    return (not user and col in hidden, not user, stage_text, match.rank, match.order)


def settle(claims: dict, labels: dict, hidden: frozenset) -> tuple[dict, list]:
    """(field -> (match, column) each field is read from, in column order; [(field, column)] of the other columns
    claiming a field).

    `claims`: field -> [(HeaderMatch, 0-based column)] in column order; `labels`: column -> header text.
    A progress column may come of the stage's claims and an amount's twin of the amount's (see the module).
    """
    chosen = {
        f: min(found, key=lambda mc, f=f: claim_rank(f, mc[0], mc[1], labels[mc[1]], hidden))
        for f, found in claims.items()
    }
    _progress_beside_stage(chosen, claims, labels, hidden)
    _amount_twin(chosen, claims, labels, hidden)
    used = {col for _m, col in chosen.values()}
    others = sorted(((col, f) for f, found in claims.items() for _m, col in found if col not in used))
    in_order = dict(sorted(chosen.items(), key=lambda fc: fc[1][1]))  # as the sheet reads, left to right
    return in_order, [(f, col) for col, f in others]


def _others(field: str, chosen: dict, claims: dict, hidden: frozenset) -> list:
    """The claims to `field` but the chosen one's, visible or named by the user."""
    taken = chosen[field][1]
    return [(m, c) for m, c in claims.get(field, ()) if c != taken and (m.rank < 0 or c not in hidden)]


def _progress_beside_stage(chosen: dict, claims: dict, labels: dict, hidden: frozenset) -> None:
    """A column of progress text claiming the stage beside one naming it: the progress column, if there is none."""
    stage = chosen.get("stage")
    if stage is None or "progress" in chosen or not names_the_stage(labels[stage[1]]):
        return
    texts = [(m, c) for m, c in _others("stage", chosen, claims, hidden) if not names_the_stage(labels[c])]
    if texts:
        m, col = min(texts, key=lambda mc: claim_rank("progress", mc[0], mc[1], labels[mc[1]], hidden))
        chosen["progress"] = (dataclasses.replace(m, field="progress"), col)


def _amount_twin(chosen: dict, claims: dict, labels: dict, hidden: frozenset) -> None:
    """The amount's column in 大写 beside its figure's (or the figure's beside it): the amount's TWIN. The figure
    is the amount, unless the user named the 大写 column (--map)."""
    amount = chosen.get("amount")
    if amount is None:
        return
    in_words = _written_out(labels[amount[1]])
    twins = [(m, c) for m, c in _others("amount", chosen, claims, hidden) if _written_out(labels[c]) != in_words]
    if not twins:
        return
    twin = min(twins, key=lambda mc: claim_rank("amount", mc[0], mc[1], labels[mc[1]], hidden))
    if in_words and amount[0].rank >= 0 and twin[0].rank >= 0:
        amount, twin = twin, amount  # the figure is what the 合计 adds up and what the unit in the header is for
    chosen["amount"] = amount
    chosen[TWIN] = (dataclasses.replace(twin[0], field=TWIN), twin[1])


def _written_out(label) -> bool:
    return _IN_WORDS.search(normalise(label)) is not None


def stage_alone(text: str) -> bool:
    """Whether a stage cell's text is a stage's name and nothing more (前期洽谈, 已签约): one clause. Beside a
    progress column such a cell gives its stage alone; one saying more (已开工，因资金问题暂停) is kept as progress."""
    return _CLAUSES.search(unicodedata.normalize("NFKC", text).strip()) is None


def same_amount(one: Money, other: Money) -> bool:
    """Whether an amount and its TWIN column's say the same (约 aside: 大写 has no way to write it)."""
    return (one.amount, one.currency) == (other.amount, other.currency)


def twin_differs(amount: Money, twin: Money, twin_label: str, twin_cell) -> str | None:
    """The warning of a row whose `amount` and its TWIN column's cell (`twin_cell`, read as `twin`) differ (the
    amount's column is imported), or None when they agree."""
    if same_amount(amount, twin):
        return None
    return _(
        "“{twin}” says {cell} ({twin_amount}), not {amount}: {amount} is imported; correct the column that is wrong"
    ).format(
        amount=format_money(amount), twin=twin_label, cell=inline(cell_text(twin_cell)), twin_amount=format_money(twin)
    )


def twin_notices(header) -> list[str]:
    """The notice of an amount given in two columns (`header`: the Header found), naming the one imported."""
    if TWIN not in header.columns:
        return []
    return [
        _(
            "Columns “{used}” and “{other}” both give the amount: “{used}” is imported, a blank in it is taken from "
            "“{other}”, and a row where the two differ is warned of"
        ).format(**_twin_labels(header))
    ]


def twin_filled(header, rows: str) -> str:
    """The notice of the rows (`rows`, as ranges) whose blank amount was taken from its other column."""
    return _("Rows {rows} have no “{used}”: their amount is taken from “{other}”").format(
        rows=rows, **_twin_labels(header)
    )


def _twin_labels(header) -> dict:
    return {
        "used": inline(str(header.labels[header.columns["amount"]])),
        "other": inline(str(header.labels[header.columns[TWIN]])),
    }
