"""The regions and industries the deals name: what forms complete and filters offer, in pinyin order."""

from crm.values.terms import name_order
from db.models import database


def distinct_values(column: str) -> str:
    """SQL giving the distinct non-empty values of an indexed deal column as rows of `x`.

    Walked through the column's index one value at a time (a "loose index
    scan": a few dozen index seeks however many deals there are), where
    SELECT DISTINCT reads every deal (PostgreSQL's planner does not skip
    through an index).
    """
    return (
        f"WITH RECURSIVE r(x) AS (SELECT MIN({column}) FROM deal WHERE {column} > '' UNION ALL "
        f"SELECT (SELECT MIN({column}) FROM deal WHERE {column} > r.x) FROM r WHERE r.x IS NOT NULL) "
        "SELECT x FROM r WHERE x IS NOT NULL"
    )


def regions() -> list[str]:
    """Every region a deal names, in pinyin order (安国市, 保定高新区, 定兴县 …, as the reports list them)."""
    return _distinct("region")


def industries() -> list[str]:
    """Every industry a deal names, in pinyin order."""
    return _distinct("industry")


def _distinct(column: str) -> list[str]:
    names = [x for (x,) in database.obj.execute_sql(distinct_values(column)).fetchall()]
    return sorted(names, key=lambda name: (name_order(name), name))
