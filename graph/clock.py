"""Times the analytics are computed at: always timezone-aware, the current time by default."""

from __future__ import annotations

from datetime import UTC, datetime

from fission.errors import InvalidInput


def aware(value: datetime, name: str) -> datetime:
    """`value` itself; InvalidInput when it has no timezone (its meaning would be a guess)."""
    if value.tzinfo is None:
        raise InvalidInput(f"{name} must be timezone-aware")
    return value


def as_of(now: datetime | None, name: str = "now") -> datetime:
    """`now` (checked by `aware`), or the current time."""
    return datetime.now(UTC) if now is None else aware(now, name)
