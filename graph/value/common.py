"""What the customer-value answers share: windows, the stores asked about, money in cents,
ratios, and the sorted, paged rows of the brand-wide answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from fission.errors import InvalidInput, NotFound
from graph.clock import aware, before
from graph.gateway import Gateway, Row
from graph.queries import query

STORES = query("value/stores")
READ_SNAPSHOT = query("value/read_snapshot")

MONDAY = datetime(2024, 1, 1, tzinfo=UTC)  # any Monday 00:00 UTC: weeks are counted from it
WEEK = timedelta(weeks=1)
MAX_PAGE = 1000

T = TypeVar("T", bound=BaseModel)


def until(end: datetime | None) -> datetime:
    """The end of a window: `end` (timezone-aware), or now."""
    return aware(end, "end") if end is not None else datetime.now(UTC)


def window(
    start: datetime | None, end: datetime | None, default: timedelta
) -> tuple[datetime, datetime]:
    """[start, end): `end` defaults to now, `start` to `default` before `end`; both must be
    timezone-aware and start before end (InvalidInput otherwise)."""
    end = until(end)
    start = aware(start, "start") if start is not None else before(end, default)
    return ordered(start, end), end


def ordered(start: datetime, end: datetime) -> datetime:
    """`start` when it is before `end`; InvalidInput otherwise."""
    if start >= end:
        raise InvalidInput(f"start ({start.isoformat()}) must be before end ({end.isoformat()})")
    return start


def monday(at: datetime) -> datetime:
    """Monday 00:00 UTC of the week that holds `at`."""
    return MONDAY + (at - MONDAY) // WEEK * WEEK


def ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def money(cents: int) -> float:
    return cents / 100


def stores(gateway: Gateway, store_id: str | None) -> list[Row]:
    """The store asked about (NotFound when unknown), or every store for None."""
    rows = gateway.read(STORES, store_id=store_id)
    if store_id is not None and not rows:
        raise NotFound(f"store {store_id}")
    return rows


class Page(BaseModel):
    """How the rows of a brand-wide answer are sorted and paged."""

    sort: str
    descending: bool
    offset: int
    limit: int
    total: int = Field(description="Stores in the answer (rows across all pages).")


class BrandAnswer(Page):
    """A brand-wide answer: paged rows, and where its figures come from."""

    computed_at: datetime = Field(description="When the figures were computed.")
    precomputed: bool = Field(
        description="True: read from the snapshot `fission load` and `fission value-snapshot` "
        "store (asked without a window); false: computed for this request."
    )
    rows: list[Any]


A = TypeVar("A", bound=BrandAnswer)


@dataclass(frozen=True)
class Paging:
    """How a brand answer's rows are sorted and paged: by `sort` (ties by store id, rows
    whose key is None last), `descending`, from `offset`, at most `limit` (None: all)."""

    sort: str = "store_id"
    descending: bool = False
    offset: int = 0
    limit: int | None = None


ALL = Paging()


def page(
    rows: Sequence[T], sorts: dict[str, Callable[[T], Any]], paging: Paging
) -> tuple[Page, list[T]]:
    """The rows sorted and paged as `paging` says (InvalidInput for an unknown sort key or an
    offset or limit out of range)."""
    sort, offset, limit = paging.sort, paging.offset, paging.limit
    if sort not in sorts:
        raise InvalidInput(f"sort must be one of: {', '.join(sorts)}")
    if offset < 0:
        raise InvalidInput("offset must be >= 0")
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    key = sorts[sort]
    ordered = sorted(rows, key=lambda r: getattr(r, "store_id", ""))
    present = [r for r in ordered if key(r) is not None]
    present.sort(key=key, reverse=paging.descending)
    ordered = present + [r for r in ordered if key(r) is None]
    info = Page(
        sort=sort,
        descending=paging.descending,
        offset=offset,
        limit=limit if limit is not None else len(rows),
        total=len(rows),
    )
    return info, ordered[offset : offset + limit if limit is not None else None]


def live(info: Page) -> dict[str, Any]:
    """The fields of a brand answer computed for this request."""
    return {**info.model_dump(), "computed_at": datetime.now(UTC), "precomputed": False}


def precomputed(
    gateway: Gateway,
    figure: str,
    model: type[A],
    sorts: dict[str, Callable[[Any], Any]],
    paging: Paging,
) -> A | None:
    """The stored snapshot of a brand-wide answer (graph.value.snapshot), sorted and paged
    as asked; None when there is none, or it is older than the settings allow."""
    max_age = timedelta(hours=gateway.settings.value_snapshot_max_hours)
    found = gateway.read(READ_SNAPSHOT, figure=figure)
    if not found or datetime.now(UTC) - found[0]["computed_at"] > max_age:
        return None
    answer = model.model_validate_json(found[0]["payload"])
    info, shown = page(answer.rows, sorts, paging)
    return answer.model_copy(update={**info.model_dump(), "rows": shown, "precomputed": True})
