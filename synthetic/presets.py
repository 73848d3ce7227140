"""What a synthetic brand looks like: sizes and behaviour (presets), names, file layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]
Fmt = Literal["csv", "jsonl", "parquet"]

DEFAULT_END = datetime(2026, 11, 1, tzinfo=UTC)
DAY = 86_400
CHUNK_ROWS = 500_000

TOPICS: tuple[str, ...] = (
    "skincare", "makeup", "baby", "coffee", "fitness", "snacks",
    "fashion", "home", "pets", "tea", "outdoor", "wellness",
)  # fmt: skip
CONTENT_KINDS: tuple[str, ...] = (
    "coupon", "red_packet", "promotion", "story", "product", "group_buy",
)  # fmt: skip
CHANNELS: tuple[str, ...] = ("moments", "group", "chat")
ACTIONS: tuple[str, ...] = ("view", "claim_coupon", "contact_sales", "join_group_buy")
ROLES: tuple[str, ...] = ("manager", "clerk", "guide")
NOTE_KINDS: tuple[str, ...] = ("contacted", "visited", "tag")
NOTE_TAGS: tuple[str, ...] = (
    *TOPICS, "vip", "price-sensitive", "new-parent", "gift-buyer", "weekend-shopper",
)  # fmt: skip
NOTE_TEXTS: tuple[str, ...] = (
    "Called about the new season offers",
    "Sent a coupon reminder",
    "Asked about sizes and stock",
    "Visited the store with a friend",
    "Interested in the next group buy",
    "Prefers evening messages",
)

FILE_TYPES: tuple[str, ...] = (
    "stores", "staff", "content", "members", "shares",
    "visits", "orders", "friendships", "agents", "notes",
)  # fmt: skip
COLUMNS: dict[str, tuple[str, ...]] = {
    "stores": ("store_id", "name", "city", "region", "opened_on"),
    "staff": ("person_id", "store_id", "role", "display_name"),
    "content": ("content_id", "kind", "title", "topics", "store_id"),
    "members": ("person_id", "store_id", "member_since"),
    "shares": ("event_id", "share_id", "sharer_id", "content_id", "channel", "at",
               "parent_share_id"),
    "visits": ("event_id", "share_id", "visitor_id", "at", "action"),
    "orders": ("event_id", "person_id", "store_id", "amount", "currency", "at"),
    "friendships": ("event_id", "a_id", "b_id", "at"),
    "agents": ("event_id", "person_id", "store_id", "invited_by", "at"),
    "notes": ("event_id", "staff_id", "person_id", "at", "kind", "text", "tag"),
}  # fmt: skip

CITIES: tuple[tuple[str, str], ...] = (
    ("Shanghai", "East"), ("Hangzhou", "East"), ("Nanjing", "East"), ("Suzhou", "East"),
    ("Beijing", "North"), ("Tianjin", "North"), ("Qingdao", "North"), ("Shenyang", "Northeast"),
    ("Guangzhou", "South"), ("Shenzhen", "South"), ("Xiamen", "South"), ("Chengdu", "Southwest"),
    ("Chongqing", "Southwest"), ("Kunming", "Southwest"), ("Wuhan", "Central"),
    ("Changsha", "Central"), ("Zhengzhou", "Central"), ("Xi'an", "Northwest"),
)  # fmt: skip
PLACES: tuple[str, ...] = (
    "Central Plaza", "Riverside", "Xintiandi", "Wanda Mall", "Joy City", "Old Town",
    "Tech Park", "Station Square", "Lakeside", "Garden Walk", "Harbour City", "West Gate",
)  # fmt: skip
SURNAMES: tuple[str, ...] = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu",
    "Xu", "Sun", "Hu", "Zhu", "Gao", "Lin", "He", "Guo", "Ma", "Luo",
)  # fmt: skip
GIVEN_NAMES: tuple[str, ...] = (
    "Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Jie", "Tao", "Ying",
    "Hui", "Qiang", "Li", "Xin", "Yu", "Hao", "Ting", "Bo", "Lan", "Kai",
)  # fmt: skip
KIND_TITLES: dict[str, str] = {
    "coupon": "{adj} {topic} coupon",
    "red_packet": "{adj} {topic} red packet",
    "promotion": "{adj} {topic} sale",
    "story": "The story behind our {topic} range",
    "product": "New {topic} pick",
    "group_buy": "{adj} {topic} group buy",
}
ADJECTIVES: tuple[str, ...] = (
    "Spring",
    "Summer",
    "Autumn",
    "Winter",
    "Weekend",
    "Members'",
    "Flash",
)

# Local (UTC+8) hour-of-day activity profile: quiet at night, peaks at lunch and evening.
HOUR_W = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 5, 6, 7, 8, 7, 6, 6, 6, 7, 8, 10, 10, 9, 6, 3],
    dtype=float,
)
HOUR_P = HOUR_W / HOUR_W.sum()
CHANNEL_P = np.array([0.5, 0.3, 0.2])
CHANNEL_MULT = np.array([1.0, 1.6, 0.5])  # a group post reaches more people than a chat


@dataclass(frozen=True)
class Preset:
    """Size and behaviour knobs of a synthetic brand (counts are approximate targets)."""

    stores: int
    staff_per_store: int
    people: int
    contents: int = 40
    staff_shares: float = 15.0  # root shares per staff member over the window
    staff_fanout: float = 3.0  # mean visits per staff share
    customer_fanout: float = 2.0  # mean visits per customer share (Pareto, heavy-tailed)
    max_fanout: float = 60.0  # cap on a key person's mean visits per share
    member_rate: float = 0.03  # share of each store's customers imported as members
    loyal_sharers: float = 0.4  # share of imported members who start cascades
    loyal_shares: float = 3.0  # root shares per loyal sharer
    agents_per_store: float = 3.0
    agent_shares: float = 12.0  # root shares per agent after becoming one
    reshare_ratio: float = 0.7  # mean reshares per customer share (kept below 1)
    order_rate: float = 0.10  # share of prospects who buy
    notes_per_staff: float = 8.0
    cross_store: float = 0.07  # share of visitors drawn from another store's customers
    days: int = 183
    # Repeat purchase: mean extra orders per buying prospect (Poisson), multiplied for those
    # a member or an agent brought in (seeds 001/002: referred loyal customers buy again).
    repeat_orders: float = 0.5
    loyal_referral_repeat: float = 2.5


PRESETS: dict[str, Preset] = {
    "tiny": Preset(stores=2, staff_per_store=3, people=150, contents=8, staff_shares=6.0,
                   member_rate=0.05, reshare_ratio=0.6, max_fanout=15.0,
                   agents_per_store=1.0, agent_shares=4.0, notes_per_staff=4.0),
    "small": Preset(stores=20, staff_per_store=10, people=10_000, contents=40),
    # Bigger stores per staff member: staff share more often to reach their larger bases.
    "medium": Preset(stores=200, staff_per_store=10, people=200_000, contents=150,
                     staff_shares=30.0),
    "large": Preset(stores=1000, staff_per_store=10, people=1_000_000, contents=400,
                    staff_shares=30.0),
}  # fmt: skip


@dataclass
class GenerationSummary:
    """What `generate` wrote: rows per file type, expected graph node counts, file paths."""

    counts: dict[str, int]
    nodes: dict[str, int]
    files: list[Path]
    preset: str = "custom"
    seed: int = 0
    fmt: str = "csv"
    end: datetime = DEFAULT_END
    settings: dict[str, Any] = field(default_factory=dict)
    planted: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # File names only (no directories), so summary.json is identical wherever it is written.
        planted = {"planted": self.planted} if self.planted else {}
        return {
            "preset": self.preset,
            "seed": self.seed,
            "format": self.fmt,
            "end": self.end.isoformat(),
            "settings": self.settings,
            "counts": dict(self.counts),
            "nodes": dict(self.nodes),
            "files": [p.name for p in self.files],
            **planted,
        }
