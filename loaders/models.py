"""Pydantic models for every input row (DESIGN.md §3): the edge where bad input is stopped.

Each model turns one raw row (strings from CSV, values from JSON Lines or Parquet) into typed
values; a row that fails gets a human-readable reason and is never written.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from loaders.pseudonyms import CONTEXT_KEY, pseudonym

# Staff imported without a start time are taken as known before tracking began.
BEFORE_TRACKING = datetime(1970, 1, 1, tzinfo=UTC)


def is_blank(value: Any) -> bool:
    """None, NaN (pandas' empty cell) or a string of only spaces."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def _blank_to_none(value: Any) -> Any:
    return None if is_blank(value) else value


def _split_topics(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split("|")
    if hasattr(value, "tolist"):  # numpy arrays from Parquet list columns
        value = value.tolist()
    return sorted({str(t).strip().lower() for t in value if str(t).strip()})


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _text_not_number(value: Any) -> Any:
    """Times and dates are ISO 8601 text: a number (an epoch count, 1e308) is refused rather
    than guessed at in seconds or milliseconds."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value)
    ):
        raise ValueError("must be ISO 8601 text (e.g. 2026-05-01T10:00:00+08:00), not a number")
    return value


MAX_OFFSET = timedelta(hours=18)  # Neo4j's (and ISO 8601 practice's) widest UTC offset


def storable_time(value: datetime) -> datetime:
    """A time must still be a time in years 1-9999 once converted to UTC, as every reader
    converts it (9999-12-31T23:59:59-14:00 is not), with an offset Neo4j can store."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValueError("has a UTC offset beyond ±18:00")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside years 1-9999 once converted to UTC") from None
    return value


def _pseudonymise(value: str, info: ValidationInfo) -> str:
    return pseudonym(value, (info.context or {}).get(CONTEXT_KEY))


MAX_ID_LENGTH = 128
Id = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=MAX_ID_LENGTH, pattern=r"^[\w.:@-]+$"
    ),
]
OptionalId = Annotated[Id | None, BeforeValidator(_blank_to_none)]
# A person's id: pseudonymised at the edge when the brand has a secret (loaders.pseudonyms).
PersonId = Annotated[Id, AfterValidator(_pseudonymise)]
OptionalPersonId = Annotated[PersonId | None, BeforeValidator(_blank_to_none)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
OptionalText = Annotated[Text | None, BeforeValidator(_blank_to_none)]
Timestamp = Annotated[
    AwareDatetime, BeforeValidator(_text_not_number), AfterValidator(storable_time)
]
Day = Annotated[date, BeforeValidator(_text_not_number)]
MAX_AMOUNT = 100_000_000
Topics = Annotated[
    list[Annotated[str, StringConstraints(max_length=64, pattern=r"^[\w][\w -]*$")]],
    BeforeValidator(_split_topics),
]


class InputRow(BaseModel):
    """Base of every input row; `kind` names the file type, `key` the field that identifies it."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    kind: ClassVar[str]
    key: ClassVar[str] = "event_id"
    people: ClassVar[tuple[str, ...]] = ()  # the fields that name people (PersonId)

    def identity(self) -> str:
        """The value of the field that identifies the row (event_id for events)."""
        return str(getattr(self, self.key))

    def params(self) -> dict[str, Any]:
        """The row as Cypher parameters. Times travel as ISO 8601 text and the queries parse
        them with datetime(): the driver's own datetime packing costs ~0.1 ms a value."""
        return self.model_dump(mode="json")


class StoreRow(InputRow):
    kind: ClassVar[str] = "stores"
    key: ClassVar[str] = "store_id"
    store_id: Id
    name: Text
    city: OptionalText = None
    region: OptionalText = None
    opened_on: Annotated[Day | None, BeforeValidator(_blank_to_none)] = None


class StaffRow(InputRow):
    kind: ClassVar[str] = "staff"
    people: ClassVar[tuple[str, ...]] = ("person_id",)
    key: ClassVar[str] = "person_id"
    person_id: PersonId
    store_id: Id
    role: Literal["manager", "clerk", "guide"]
    display_name: OptionalText = None
    since: Annotated[Timestamp | None, BeforeValidator(_blank_to_none)] = None

    def params(self) -> dict[str, Any]:
        return {
            **self.model_dump(mode="json"),
            "since": (self.since or BEFORE_TRACKING).isoformat(),
        }


class ContentRow(InputRow):
    kind: ClassVar[str] = "content"
    key: ClassVar[str] = "content_id"
    content_id: Id
    kind_: Literal["coupon", "red_packet", "promotion", "story", "product", "group_buy"] = Field(
        alias="kind"
    )
    title: Text
    topics: Topics = []
    store_id: OptionalId = None

    def params(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class MemberRow(InputRow):
    kind: ClassVar[str] = "members"
    people: ClassVar[tuple[str, ...]] = ("person_id",)
    key: ClassVar[str] = "person_id"
    person_id: PersonId
    store_id: Id
    member_since: Annotated[date | Timestamp, BeforeValidator(_text_not_number)]

    def params(self) -> dict[str, Any]:
        since = self.member_since
        if not isinstance(since, datetime):
            since = datetime.combine(since, time(0), tzinfo=UTC)
        return {**self.model_dump(mode="json"), "member_since": since.isoformat()}


class ShareEvent(InputRow):
    kind: ClassVar[str] = "shares"
    people: ClassVar[tuple[str, ...]] = ("sharer_id",)
    event_id: Id
    share_id: Id
    sharer_id: PersonId
    content_id: Id
    channel: Literal["moments", "group", "chat"]
    at: Timestamp
    parent_share_id: OptionalId = None

    @model_validator(mode="after")
    def _not_own_parent(self) -> ShareEvent:
        if self.parent_share_id == self.share_id:
            raise ValueError("a share cannot be a reshare of itself")
        return self


class VisitEvent(InputRow):
    kind: ClassVar[str] = "visits"
    people: ClassVar[tuple[str, ...]] = ("visitor_id",)
    event_id: Id
    share_id: Id
    visitor_id: PersonId
    at: Timestamp
    action: Literal["view", "claim_coupon", "contact_sales", "join_group_buy"] = "view"


class OrderEvent(InputRow):
    kind: ClassVar[str] = "orders"
    people: ClassVar[tuple[str, ...]] = ("person_id",)
    event_id: Id
    person_id: PersonId
    store_id: Id
    amount: Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    at: Timestamp

    def params(self) -> dict[str, Any]:
        return {**self.model_dump(mode="json"), "amount": round(self.amount, 2)}


class FriendshipEvent(InputRow):
    kind: ClassVar[str] = "friendships"
    people: ClassVar[tuple[str, ...]] = ("a_id", "b_id")
    event_id: Id
    a_id: PersonId
    b_id: PersonId
    at: Timestamp

    @model_validator(mode="after")
    def _two_people(self) -> FriendshipEvent:
        if self.a_id == self.b_id:
            raise ValueError("a friendship needs two different people")
        return self


class AgentEvent(InputRow):
    kind: ClassVar[str] = "agents"
    people: ClassVar[tuple[str, ...]] = ("person_id", "invited_by")
    event_id: Id
    person_id: PersonId
    store_id: Id
    invited_by: OptionalPersonId = None
    at: Timestamp


class NoteEvent(InputRow):
    kind: ClassVar[str] = "notes"
    people: ClassVar[tuple[str, ...]] = ("staff_id", "person_id")
    event_id: Id
    staff_id: PersonId
    person_id: PersonId
    at: Timestamp
    kind_: Literal["contacted", "visited", "tag"] = Field(alias="kind")
    text: OptionalText = None
    tag: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
        | None,
        BeforeValidator(_blank_to_none),
    ] = None

    @model_validator(mode="after")
    def _tag_when_tagging(self) -> NoteEvent:
        if self.kind_ == "tag" and not self.tag:
            raise ValueError("a note of kind 'tag' needs a tag")
        return self

    def params(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


# In load order: reference data first, then events in the order their references need.
ROW_MODELS: tuple[type[InputRow], ...] = (
    StoreRow,
    StaffRow,
    ContentRow,
    MemberRow,
    ShareEvent,
    VisitEvent,
    OrderEvent,
    FriendshipEvent,
    AgentEvent,
    NoteEvent,
)
MODEL_BY_KIND: dict[str, type[InputRow]] = {m.kind: m for m in ROW_MODELS}
REFERENCE_KINDS = ("stores", "staff", "content", "members")
EVENT_KINDS = ("shares", "visits", "orders", "friendships", "agents", "notes")


def pseudonymise_raw(kind: str, record: dict[str, Any], secret: SecretStr | None) -> dict[str, Any]:
    """A raw row with its person ids pseudonymised, for what is kept of a rejected row."""
    fields = MODEL_BY_KIND[kind].people
    return {
        k: pseudonym(v.strip(), secret) if k in fields and isinstance(v, str) and v.strip() else v
        for k, v in record.items()
    }


def explain(error: ValidationError) -> str:
    """One line naming each bad field and what is wrong with it."""
    parts = []
    for item in error.errors(include_url=False):
        field = ".".join(str(p) for p in item["loc"]) or "row"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "is missing or empty"
        elif item["type"] == "timezone_aware":
            message = "needs a timezone offset (e.g. +08:00)"
        parts.append(f"{field}: {message}" if field != "row" else message)
    return "; ".join(parts)
