"""Everything a customer-value page shows, gathered over one window (the pages and PNGs of
api/routers/value.py draw them with api/charts.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fission.errors import InvalidInput
from graph.gateway import Gateway
from graph.value.candidates import (
    BrandAgentCandidates,
    StoreAgentCandidates,
    agent_candidates,
    brand_agent_candidates,
)
from graph.value.common import ALL, Paging, precomputed, stores
from graph.value.funnel import SORTS as FUNNEL_SORTS
from graph.value.funnel import BrandFunnel, StoreFunnel, brand_funnel, store_funnel
from graph.value.gmv import SORTS as VALUE_SORTS
from graph.value.gmv import BrandValue, StoreValueComparison, brand_value, store_value_vs_median
from graph.value.retention import SORTS as RETENTION_SORTS
from graph.value.retention import BrandRetention, StoreRetention, brand_retention, store_retention
from graph.value.sources import SORTS as SOURCE_SORTS
from graph.value.sources import BrandSources, StoreSources, brand_sources, store_sources

Part = Literal["factors", "retention", "sources", "funnel", "candidates"]
PARTS: tuple[Part, ...] = ("factors", "retention", "sources", "funnel", "candidates")
BY_GMV = Paging("amount", descending=True)


class StoreValueReport(BaseModel):
    """A store's customer value, every part over the same window (null: not asked for)."""

    store_id: str
    name: str | None
    start: datetime | None = Field(description="The window asked for (null: each default).")
    end: datetime | None
    comparison: StoreValueComparison | None
    retention: StoreRetention | None
    sources: StoreSources | None
    funnel: StoreFunnel | None
    candidates: StoreAgentCandidates | None


class BrandValueReport(BaseModel):
    """The brand's customer value, every part over the same window (null: not asked for)."""

    start: datetime | None
    end: datetime | None
    value: BrandValue | None = Field(description="Every store's row.")
    retention: BrandRetention | None
    sources: BrandSources | None
    funnel: BrandFunnel | None
    candidates: BrandAgentCandidates | None


def _check(parts: Collection[str]) -> None:
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise InvalidInput(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}")


def store_report(
    gateway: Gateway,
    store_id: str,
    start: datetime | None = None,
    end: datetime | None = None,
    parts: Collection[Part] = PARTS,
) -> StoreValueReport:
    """The asked-for parts of a store's customer value over [start, end). Without a window
    every part takes its own default, all ending at the same time: the end of the brand
    snapshot's window when the GMV comparison reads it, now otherwise. Unknown store ->
    NotFound."""
    _check(parts)
    store = stores(gateway, store_id)[0]
    comparison = None
    if "factors" in parts:
        comparison = store_value_vs_median(gateway, store_id, start, end)
        end = comparison.store.end
    return StoreValueReport(
        store_id=store_id,
        name=store["name"],
        start=start,
        end=end,
        comparison=comparison,
        retention=store_retention(gateway, store_id, start, end) if "retention" in parts else None,
        sources=store_sources(gateway, store_id, start, end) if "sources" in parts else None,
        funnel=store_funnel(gateway, store_id, start, end) if "funnel" in parts else None,
        candidates=agent_candidates(gateway, store_id) if "candidates" in parts else None,
    )


def brand_report(
    gateway: Gateway,
    start: datetime | None = None,
    end: datetime | None = None,
    parts: Collection[Part] = PARTS,
) -> BrandValueReport:
    """The asked-for parts of the brand's customer value over [start, end), every store's row
    included; without a window, from the snapshot while it is fresh."""
    _check(parts)
    return BrandValueReport(
        start=start,
        end=end,
        value=brand_value(gateway, start, end, BY_GMV) if "factors" in parts else None,
        retention=brand_retention(gateway, start, end) if "retention" in parts else None,
        sources=brand_sources(gateway, start, end) if "sources" in parts else None,
        funnel=brand_funnel(gateway, start, end) if "funnel" in parts else None,
        candidates=brand_agent_candidates(gateway, paging=Paging("eligible", descending=True))
        if "candidates" in parts
        else None,
    )


def precomputed_brand_report(
    gateway: Gateway, parts: Collection[Part] = ("factors", "retention", "sources", "funnel")
) -> BrandValueReport | None:
    """The asked-for parts (not agent candidates) of the brand's customer value for the default
    windows, from the snapshot only, never computed: for pages that must stay fast however
    many stores there are. None when a part has no snapshot younger than the settings allow
    (`fission value-snapshot` makes one)."""
    _check(parts)
    if "candidates" in parts:
        raise InvalidInput("agent candidates are not part of the precomputed brand report")
    value = (
        precomputed(gateway, "value", BrandValue, VALUE_SORTS, BY_GMV)
        if "factors" in parts
        else None
    )
    cohorts = (
        precomputed(gateway, "retention", BrandRetention, RETENTION_SORTS, ALL)
        if "retention" in parts
        else None
    )
    by_source = (
        precomputed(gateway, "sources", BrandSources, SOURCE_SORTS, ALL)
        if "sources" in parts
        else None
    )
    stages = (
        precomputed(gateway, "funnel", BrandFunnel, FUNNEL_SORTS, ALL)
        if "funnel" in parts
        else None
    )
    found = {"factors": value, "retention": cohorts, "sources": by_source, "funnel": stages}
    if any(found[part] is None for part in parts):
        return None
    return BrandValueReport(
        start=None,
        end=None,
        value=value,
        retention=cohorts,
        sources=by_source,
        funnel=stages,
        candidates=None,
    )
