"""Times the analytics are computed at: always timezone-aware, the current time by default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fission.errors import InvalidInput


def aware(value: datetime, name: str) -> datetime:
    """`value` itself; InvalidInput when it has no timezone (its meaning would be a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be timezone-aware (ISO 8601 with an offset)")
    return value


def as_of(now: datetime | None, name: str = "now") -> datetime:
    """`now` (checked by `aware`), or the current time."""
    return datetime.now(UTC) if now is None else aware(now, name)


def before(end: datetime, span: timedelta) -> datetime:
    """The default start of a window: `span` before `end`; InvalidInput when that falls before
    year 1 (an `end` that early needs an explicit start)."""
    try:
        return end - span
    except OverflowError:
        raise InvalidInput(
            f"end ({end.isoformat()}) is too early for the default window: give a start"
        ) from None
