"""Deals grouped: the count and CNY total of each stage or region, and the board's columns (a stage's totals and
its first cards). Read by the Board and the Dashboard, after the deal list's first page (crm.listing.pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from crm.deals.stages import STAGES
from crm.listing import kept_totals as cohort_totals
from crm.listing import search
from crm.listing.filters import DealFilter
from crm.listing.pages import Order, first_rows, with_stage
from crm.reference import regions
from db.models import Deal


@dataclass(frozen=True)
class Group:
    """A group of deals (a stage, a region) with its count and CNY total."""

    key: str
    deals: int
    total_cny: Decimal
    unconverted: int


def _grouped(flt: DealFilter, column, signed_only: bool) -> list[Group]:
    kept = cohort_totals.grouped(flt, (column.name,), signed_only)
    if kept is not None:
        return [
            Group(s.key[0], s.deals, Deal.amount_cny.python_value(s.amount_cny), s.deals - s.converted) for s in kept
        ]
    query = Deal.select(
        column.alias("k"),
        fn.COUNT(Deal.id).alias("n"),
        fn.SUM(Deal.amount_cny).alias("cny"),
        fn.COUNT(Deal.amount_cny).alias("converted"),
    )
    if signed_only:
        query = query.where(Deal.stage != "negotiating")
    with search.counting():
        query = flt.apply(query).group_by(column)
    return [
        Group(r.k, r.n, Deal.amount_cny.python_value(r.cny) or Decimal(0), r.n - r.converted)
        for r in query.namedtuples()
    ]


def stage_totals(flt: DealFilter) -> dict[str, Group]:
    """Count and CNY total per stage (every stage present, in stage order), for the board."""
    found = {g.key: g for g in _grouped(flt, Deal.stage, signed_only=False)}
    return {s.key: found.get(s.key, Group(s.key, 0, Decimal(0), 0)) for s in STAGES}


def region_totals(flt: DealFilter, signed_only: bool = True) -> list[Group]:
    """Count and CNY total per region, largest total first (signed deals only, as in the KPIs); regions written
    differently for one county-level division (涿州, 涿州市) are one group, named as `crm report regions` names it
    (regions.division_label)."""
    merged: dict[str, Group] = {}
    for g in _grouped(flt, Deal.region, signed_only):
        label = regions.division_label(g.key)
        m = merged.get(label) or Group(label, 0, Decimal(0), 0)
        merged[label] = Group(label, m.deals + g.deals, m.total_cny + g.total_cny, m.unconverted + g.unconverted)
    return sorted(merged.values(), key=lambda g: (-g.total_cny, g.key or ""))


@dataclass(frozen=True)
class BoardColumn:
    """One stage of the board: its count and CNY total, and its first cards."""

    stage: str
    totals: Group
    rows: list


def board(flt: DealFilter, per_stage: int = 50, order: Order | None = None) -> list[BoardColumn]:
    """Every stage with its totals (one grouped query) and up to `per_stage` deals (one page query each), in
    `order` (the list's default when None)."""
    order = order or Order()
    groups = stage_totals(flt)
    return [
        BoardColumn(key, group, first_rows(with_stage(flt, key), order, per_stage) if group.deals else [])
        for key, group in groups.items()
    ]
