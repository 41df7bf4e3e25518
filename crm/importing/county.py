"""The county's leader a sheet names beside the city's (包联县领导 beside 包联市领导), kept in the deal's notes.

A deal has one liaison leader (包联领导, DESIGN.md's 五个一): the city's. The
county's, from a column crm.importing.headers calls "county_liaison", goes
into the deal's notes as one labelled line (包联县领导：张三); importing the
sheet again finds that line and writes nothing, and a new name replaces it.
A sheet with only the county's column gives the liaison leader as before
(headers.find_header maps it to "liaison").
"""

from __future__ import annotations

import re

from crm.foundation.i18n import _
from crm.importing.cells import inline

#: The field of the county's leader's column, and the row value (RowPlan.values) holding the name.
FIELD = "county_liaison"
#: How a county leader's column is headed (folded), most usual first; headers.match_header reads other spellings
#: by county_level.
COUNTY_WORDS = (
    "包联县领导",
    "包联县级领导",
    "县级包联领导",
    "县包联领导",
    "分包县领导",
    "包保县领导",
    "联系县领导",
    "countyliaisonleader",
    "countyliaison",
)
#: The county level in a leader's header (包联县(市、区)领导, 县级包联领导, 包联领导（县级）, 分包县区领导).
_LEVEL = re.compile(r"县(?:\(市[、,]?区\)|市区|区|市|级)?|区级")
#: What names a liaison leader once the county words are left out (包联, 分包, 包保, 帮包, 联系领导).
_LIAISON = re.compile(r"包联|分包|包保|帮包|联系人?领导")
#: Columns of units and contact details beside a leader's (县包联单位, 包联县领导电话): no leader's name.
_NO_LEADER = re.compile(r"单位|部门|电话|手机|联系方式")
#: The label of the notes line. Stored as data, never translated: an import in either language finds the line an
#: earlier one wrote.
LABEL = "包联县领导"
_LINE = re.compile(rf"\s*{LABEL}\s*[：:]")


def county_level(key: str) -> bool:
    """Whether a folded header names the county's liaison leader: a liaison header with a county word (县, 县级,
    县(市、区), 区级) and no city word (市) once that is left out."""
    if "县" not in key and "区级" not in key:
        return False
    rest = _LEVEL.sub("", key)
    return "市" not in rest and _LIAISON.search(rest) is not None and _NO_LEADER.search(rest) is None


def county_alone(chosen: dict) -> dict:
    """`chosen` (field -> (HeaderMatch, column)) with a county leader's column as the liaison leader's when the
    sheet has no city one (包联县领导 alone), unless the user named it (--map)."""
    county = chosen.get(FIELD)
    if county is None or "liaison" in chosen or county[0].rank < 0:
        return chosen
    return {("liaison" if f == FIELD else f): found for f, found in chosen.items()}


def county_line(name: str) -> str:
    """The notes line naming the county's leader: 包联县领导：张三."""
    return f"{LABEL}：{name}"


def with_county_leader(notes: str | None, name: str) -> str:
    """`notes` with the line 包联县领导：`name`: the first such line there replaced (the county's leader changed),
    else the line added at the end. Notes holding the very line come back as they are."""
    line = county_line(name)
    lines = (notes or "").splitlines()
    for i, text in enumerate(lines):
        if _LINE.match(text):
            if text.strip() == line:
                return notes or ""
            lines[i] = line
            return "\n".join(lines)
    kept = (notes or "").strip()
    return f"{kept}\n{line}" if kept else line


def put_in_notes(values: dict, held: str | None) -> None:
    """Move the row's county leader (values[FIELD]) into values["notes"]: into the sheet's notes when the row gives
    them, else into `held` (the deal's own notes; None for a new deal). Nothing is set when the deal's notes already
    say it, so a sheet imported twice changes nothing."""
    name = values.pop(FIELD, None)
    if not name:
        return
    given = "notes" in values
    notes = with_county_leader(values["notes"] if given else held, name)
    if given or notes != (held or ""):
        values["notes"] = notes


def county_notice(columns: dict, labels: dict) -> str | None:
    """What the report says, once, of a county leader's column (a header's `columns`, field -> 0-based column, and
    `labels`, column -> its header text): that it goes to the notes, and which column gives the liaison leader; None
    when the sheet has no such column (or it is the liaison's, there being no other)."""
    if FIELD not in columns:
        return None
    county = inline(str(labels[columns[FIELD]]))
    line = county_line("…")
    if "liaison" not in columns:
        return _("Column “{county}” names each deal's county leader: kept in its notes as “{line}”").format(
            county=county, line=line
        )
    return _(
        "Column “{county}” names each deal's county leader: kept in its notes as “{line}”; the liaison leader "
        "(包联领导) is column “{liaison}”"
    ).format(county=county, line=line, liaison=inline(str(labels[columns["liaison"]])))
