"""Deterministic synthetic brand generator.

Simulates a retail brand's referral programme: staff (and a few loyal members, later agents)
start share cascades, visitors re-share, some prospects buy, staff befriend and note customers.
The output uses the exact file names and columns the loaders read (CSV, JSON Lines or Parquet).

Standalone on purpose (numpy, pandas, pyarrow only) so the CLI, tests and benchmarks can use it
before anything else in the project exists. The same preset, seed, end and format always give
byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

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

_CITIES: tuple[tuple[str, str], ...] = (
    ("Shanghai", "East"), ("Hangzhou", "East"), ("Nanjing", "East"), ("Suzhou", "East"),
    ("Beijing", "North"), ("Tianjin", "North"), ("Qingdao", "North"), ("Shenyang", "Northeast"),
    ("Guangzhou", "South"), ("Shenzhen", "South"), ("Xiamen", "South"), ("Chengdu", "Southwest"),
    ("Chongqing", "Southwest"), ("Kunming", "Southwest"), ("Wuhan", "Central"),
    ("Changsha", "Central"), ("Zhengzhou", "Central"), ("Xi'an", "Northwest"),
)  # fmt: skip
_PLACES: tuple[str, ...] = (
    "Central Plaza", "Riverside", "Xintiandi", "Wanda Mall", "Joy City", "Old Town",
    "Tech Park", "Station Square", "Lakeside", "Garden Walk", "Harbour City", "West Gate",
)  # fmt: skip
_SURNAMES: tuple[str, ...] = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu",
    "Xu", "Sun", "Hu", "Zhu", "Gao", "Lin", "He", "Guo", "Ma", "Luo",
)  # fmt: skip
_GIVEN: tuple[str, ...] = (
    "Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Jie", "Tao", "Ying",
    "Hui", "Qiang", "Li", "Xin", "Yu", "Hao", "Ting", "Bo", "Lan", "Kai",
)  # fmt: skip
_KIND_TITLES: dict[str, str] = {
    "coupon": "{adj} {topic} coupon",
    "red_packet": "{adj} {topic} red packet",
    "promotion": "{adj} {topic} sale",
    "story": "The story behind our {topic} range",
    "product": "New {topic} pick",
    "group_buy": "{adj} {topic} group buy",
}
_ADJ: tuple[str, ...] = ("Spring", "Summer", "Autumn", "Winter", "Weekend", "Members'", "Flash")

# Local (UTC+8) hour-of-day activity profile: quiet at night, peaks at lunch and evening.
_HOUR_W = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 5, 6, 7, 8, 7, 6, 6, 6, 7, 8, 10, 10, 9, 6, 3],
    dtype=float,
)
_HOUR_P = _HOUR_W / _HOUR_W.sum()
_CHANNEL_P = np.array([0.5, 0.3, 0.2])
_CHANNEL_MULT = np.array([1.0, 1.6, 0.5])  # a group post reaches more people than a chat


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

    def to_dict(self) -> dict[str, Any]:
        # File names only (no directories), so summary.json is identical wherever it is written.
        return {
            "preset": self.preset,
            "seed": self.seed,
            "format": self.fmt,
            "end": self.end.isoformat(),
            "settings": self.settings,
            "counts": dict(self.counts),
            "nodes": dict(self.nodes),
            "files": [p.name for p in self.files],
        }


# ----------------------------------------------------------------------------- formatting


def _codes(strings: Arr) -> Arr:
    """Fixed-width unicode array as an (n, width) array of code points."""
    width = strings.dtype.itemsize // 4
    return strings.view(np.uint32).reshape(len(strings), width)


def _const(text: str, n: int) -> Arr:
    return np.tile(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), (n, 1))


def _join_codes(parts: list[Arr]) -> Arr:
    codes = np.ascontiguousarray(np.hstack(parts), dtype=np.uint32)
    return codes.view(f"<U{codes.shape[1]}").ravel()


def _ids(prefix: str, nums: Arr, width: int) -> Arr:
    """Zero-padded readable ids ("P0000123"), built without a Python loop."""
    nums = np.asarray(nums, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = ((nums[:, None] // powers) % 10 + ord("0")).astype(np.uint32)
    return _join_codes([_const(prefix, len(nums)), digits])


def _iso(seconds: Arr) -> Arr:
    """Epoch seconds to ISO 8601 with an explicit UTC offset."""
    base = np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="s")
    # numpy pads to room for 6-digit years; our years have 4 digits, so 19 characters.
    return _join_codes([_codes(base.astype("<U19")), _const("+00:00", len(base))])


def _dates(seconds: Arr) -> Arr:
    return np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="D").astype(
        "<U10"
    )


def _width(n: int, minimum: int) -> int:
    return max(minimum, len(str(max(n, 1))))


# ----------------------------------------------------------------------------- simulation


def _local_shuffle(rng: np.random.Generator, n: int, frac: float = 0.2, window: int = 50) -> Arr:
    """Permutation that moves ~frac of rows up to `window` positions (out-of-order export)."""
    key = np.arange(n, dtype=np.float64)
    moved = rng.random(n) < frac
    key[moved] += rng.uniform(-window, window, int(moved.sum()))
    return np.argsort(key, kind="stable")


@dataclass
class _Shares:
    sharer: Arr
    content: Arr
    channel: Arr
    at: Arr
    parent: Arr
    store: Arr


@dataclass
class _Visits:
    share: Arr
    visitor: Arr
    at: Arr
    action: Arr
    store: Arr


class _Brand:
    """The simulated brand; people are integer indices (staff first, then customers by store)."""

    def __init__(self, preset: Preset, seed: int, end: datetime) -> None:
        self.p = preset
        self.rng = np.random.default_rng(seed)
        self.end = int(end.timestamp())
        self.start = self.end - preset.days * DAY
        self.shares: list[_Shares] = []
        self.visits: list[_Visits] = []
        self.n_shares = 0

    # -- population -------------------------------------------------------------------

    def build_population(self) -> None:
        p, rng = self.p, self.rng
        s = p.stores
        self.store_city = rng.integers(0, len(_CITIES), s)
        self.store_place = rng.integers(0, len(_PLACES), s)
        self.store_opened = self.start - rng.integers(60, 8 * 365, s) * DAY

        lo = max(2, p.staff_per_store // 2)
        staff_n = np.maximum(lo, rng.poisson(p.staff_per_store, s))
        self.n_staff = int(staff_n.sum())
        self.staff_store = np.repeat(np.arange(s), staff_n)
        self.staff_start = np.concatenate([[0], np.cumsum(staff_n)[:-1]])
        role = np.where(rng.random(self.n_staff) < 0.4, 1, 2)
        role[self.staff_start] = 0  # exactly one manager, the first staff member of each store
        self.staff_role = role
        self.staff_name = rng.integers(0, len(_SURNAMES) * len(_GIVEN), self.n_staff)

        # Store customer bases vary a lot (a few big flagship stores, many starter ones).
        n_cust = max(p.people - self.n_staff, 5 * s)
        w = rng.lognormal(0.0, 0.7, s)
        sizes = np.maximum(5, np.floor(w / w.sum() * n_cust)).astype(np.int64)
        sizes[0] += max(0, n_cust - int(sizes.sum()))
        self.n_people = self.n_staff + int(sizes.sum())
        self.cust_off = self.n_staff + np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.cust_size = sizes
        self.store_weight = sizes / sizes.sum()
        store = np.empty(self.n_people, dtype=np.int64)
        store[: self.n_staff] = self.staff_store
        store[self.n_staff :] = np.repeat(np.arange(s), sizes)
        self.pool_store = store
        self.is_staff = np.zeros(self.n_people, dtype=bool)
        self.is_staff[: self.n_staff] = True

        # Influence: staff moderate; customers Pareto so a few key people bring dozens.
        infl = np.empty(self.n_people)
        infl[: self.n_staff] = p.staff_fanout * rng.lognormal(0.0, 0.4, self.n_staff)
        pareto = rng.pareto(1.5, self.n_people - self.n_staff) + 1.0
        infl[self.n_staff :] = np.minimum(p.customer_fanout / 3.0 * pareto, p.max_fanout)
        self.infl = infl
        # Activity: how often someone opens links (visitor sampling weight within a store).
        act = rng.lognormal(0.0, 1.0, self.n_people)
        act[: self.n_staff] = 0.0
        self.act_cum = np.cumsum(act)
        self.act_base = np.concatenate([[0.0], self.act_cum])

        # Reshare propensity grows with influence; scaled so the mean reshares per share is
        # reshare_ratio (< 1 keeps cascades finite while the heavy tail still makes deep ones).
        cust = slice(self.n_staff, None)
        mean_mult = float(_CHANNEL_P @ _CHANNEL_MULT)
        base = np.sqrt(infl[cust])
        scale = 0.05
        for _ in range(20):
            prob = np.minimum(scale * base, 0.9)
            r = float((act[cust] * prob * infl[cust] * mean_mult).sum() / act[cust].sum())
            scale *= p.reshare_ratio / max(r, 1e-9)
        self.reshare_p = np.zeros(self.n_people)
        self.reshare_p[cust] = np.minimum(scale * base, 0.9)

        # Imported members: a small share of each store's customers, known before tracking.
        self.is_member = np.zeros(self.n_people, dtype=bool)
        self.is_member[self.n_staff :] = rng.random(self.n_people - self.n_staff) < p.member_rate
        self.member_ids = np.flatnonzero(self.is_member)
        self.member_since = self.start - rng.integers(30, 3 * 365, len(self.member_ids)) * DAY

    def build_content(self) -> None:
        p, rng = self.p, self.rng
        n = p.contents
        self.content_kind = rng.choice(len(CONTENT_KINDS), n, p=[0.25, 0.1, 0.2, 0.15, 0.2, 0.1])
        n_topics = rng.choice([1, 2, 3], n, p=[0.5, 0.35, 0.15])
        self.content_topics = [
            sorted(rng.choice(len(TOPICS), int(k), replace=False).tolist()) for k in n_topics
        ]
        self.content_adj = rng.integers(0, len(_ADJ), n)
        # A fixed fifth of the items is store-specific, so most content is brand-wide.
        store_specific = np.zeros(n, dtype=bool)
        store_specific[rng.permutation(n)[: n // 5]] = True
        self.content_store = np.where(store_specific, rng.integers(0, p.stores, n), -1)
        # Popularity is Zipf-like: a few campaigns get most of the shares.
        pop = 1.0 / np.arange(1, n + 1) ** 0.9
        self.content_pop = pop[rng.permutation(n)]
        brand = np.flatnonzero(self.content_store < 0)
        self.brand_content = brand
        self.brand_cum = np.cumsum(self.content_pop[brand])
        spec = np.flatnonzero(self.content_store >= 0)
        spec = spec[np.argsort(self.content_store[spec], kind="stable")]
        self.spec_content = spec
        counts = np.bincount(self.content_store[spec], minlength=p.stores)
        self.spec_count = counts
        self.spec_off = np.concatenate([[0], np.cumsum(counts)[:-1]])

    # -- sampling helpers ---------------------------------------------------------------

    def _times(self, lo: Arr, hi: Arr) -> Arr:
        """Random instants in [lo, hi) following the daily activity profile where possible."""
        rng = self.rng
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.maximum(np.asarray(hi, dtype=np.int64), lo + 1)
        t = lo + (rng.random(len(lo)) * (hi - lo)).astype(np.int64)
        hour = rng.choice(24, len(lo), p=_HOUR_P)
        day0 = (t + 8 * 3600) // DAY * DAY - 8 * 3600
        shaped = day0 + hour * 3600 + rng.integers(0, 3600, len(lo))
        ok = (shaped >= lo) & (shaped < hi)
        return np.where(ok, shaped, t)

    def _pick_content(self, store: Arr) -> Arr:
        rng = self.rng
        n = len(store)
        u = rng.random(n) * self.brand_cum[-1]
        content = self.brand_content[np.searchsorted(self.brand_cum, u, side="right")]
        k = self.spec_count[store]
        # Some shares use the store's own content, when it has any.
        local = (k > 0) & (rng.random(n) < 0.3)
        pick = self.spec_off[store] + (rng.random(n) * np.maximum(k, 1)).astype(np.int64)
        if len(self.spec_content):
            spec = self.spec_content[np.minimum(pick, len(self.spec_content) - 1)]
            content = np.where(local, spec, content)
        return content

    def _pick_visitors(self, store: Arr) -> Arr:
        rng = self.rng
        n = len(store)
        other = rng.random(n) < self.p.cross_store
        alt = rng.choice(self.p.stores, n, p=self.store_weight)
        store = np.where(other, alt, store)
        lo = self.act_base[self.cust_off[store]]
        hi = self.act_base[self.cust_off[store] + self.cust_size[store]]
        u = lo + rng.random(n) * (hi - lo)
        idx = np.searchsorted(self.act_cum, u, side="right")
        first, last = self.cust_off[store], self.cust_off[store] + self.cust_size[store] - 1
        return np.clip(idx, first, last)

    # -- cascades -----------------------------------------------------------------------

    def _mark_shared(self, keys: Arr) -> None:
        np.bitwise_or.at(self.shared_bits, keys >> 3, (1 << (keys & 7)).astype(np.uint8))

    def _was_shared(self, keys: Arr) -> Arr:
        return ((self.shared_bits[keys >> 3] >> (keys & 7)) & 1).astype(bool)

    def cascade(self, sharer: Arr, at: Arr, store: Arr) -> None:
        """Roots and, generation by generation, their visits and reshares (until `end`)."""
        rng = self.rng
        keep = at < self.end
        sharer, at, store = sharer[keep], at[keep], store[keep]
        content = self._pick_content(store)
        parent = np.full(len(sharer), -1, dtype=np.int64)
        # A person re-shares a given content item at most once: bounds runaway loops in tiny
        # stores where a key person keeps being revisited by their own audience. A bitmap
        # (person x content) keeps each generation's check proportional to its own size.
        self._mark_shared(sharer * self.p.contents + content)
        while len(sharer):
            n = len(sharer)
            channel = rng.choice(3, n, p=_CHANNEL_P)
            idx = self.n_shares + np.arange(n)
            self.shares.append(_Shares(sharer, content, channel, at, parent, store))
            self.n_shares += n

            mu = self.infl[sharer] * _CHANNEL_MULT[channel]
            nv = rng.poisson(mu)
            rep = np.repeat(np.arange(n), nv)
            v_at = at[rep] + np.maximum(1, rng.lognormal(np.log(3 * 3600), 1.6, len(rep)))
            v_at = np.minimum(v_at, 30 * DAY + at[rep]).astype(np.int64)
            visitor = self._pick_visitors(store[rep])
            ok = (visitor != sharer[rep]) & (v_at <= self.end)
            rep, v_at, visitor = rep[ok], v_at[ok], visitor[ok]
            kind = self.content_kind[content[rep]]
            action = self._actions(kind)
            self.visits.append(_Visits(idx[rep], visitor, v_at, action, store[rep]))

            again = rng.random(len(rep)) < self.reshare_p[visitor]
            r_rep, r_vis = rep[again], visitor[again]
            r_at = v_at[again] + np.maximum(
                1, rng.lognormal(np.log(15 * 60), 1.5, len(r_rep))
            ).astype(np.int64)
            r_content = content[r_rep]
            keys = r_vis * self.p.contents + r_content
            _, first = np.unique(keys, return_index=True)
            fresh = np.zeros(len(keys), dtype=bool)
            fresh[first] = True
            fresh &= ~self._was_shared(keys) & (r_at <= self.end)
            self._mark_shared(keys[fresh])
            sharer, at, content = r_vis[fresh], r_at[fresh], r_content[fresh]
            parent, store = idx[r_rep[fresh]], store[r_rep[fresh]]

    def _actions(self, kind: Arr) -> Arr:
        rng = self.rng
        u = rng.random(len(kind))
        action = np.zeros(len(kind), dtype=np.int64)
        coupon = (kind == 0) | (kind == 1)
        action[coupon & (u < 0.3)] = 1
        action[(kind == 5) & (u < 0.3)] = 3
        action[(action == 0) & (u > 0.96)] = 2
        return action

    def run_cascades(self) -> None:
        p, rng = self.p, self.rng
        # Staff shares through the whole window; loyal imported members share a few times.
        k = rng.poisson(p.staff_shares, self.n_staff)
        sharer = np.repeat(np.arange(self.n_staff), k)
        loyal = self.member_ids[rng.random(len(self.member_ids)) < p.loyal_sharers]
        lk = rng.poisson(p.loyal_shares, len(loyal))
        sharer = np.concatenate([sharer, np.repeat(loyal, lk)])
        n = len(sharer)
        at = self._times(np.full(n, self.start), np.full(n, self.end - 3600))
        self.shared_bits = np.zeros(self.n_people * p.contents // 8 + 1, dtype=np.uint8)
        self.cascade(sharer, at, self.pool_store[sharer])
        self._first_appearance()
        self._choose_agents()
        # Agents share more, from the moment they become agents.
        ak = rng.poisson(p.agent_shares, len(self.agent))
        a_sharer = np.repeat(self.agent, ak)
        a_at = self._times(np.repeat(self.agent_at, ak) + 60, np.full(len(a_sharer), self.end))
        self.cascade(a_sharer, a_at, np.repeat(self.agent_store, ak))
        self._first_appearance()

    def _first_appearance(self) -> None:
        """Earliest share/visit per person and the store of that first contact."""
        sh = self._all_shares()
        vi = self._all_visits()
        first = np.full(self.n_people, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, sh.sharer, sh.at)
        v_first = np.full(self.n_people, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(v_first, vi.visitor, vi.at)
        np.minimum.at(first, vi.visitor, vi.at)
        order = np.lexsort((vi.at, vi.visitor))
        people, pos = np.unique(vi.visitor[order], return_index=True)
        home = self.pool_store.copy()
        # Customers first reached through a visit belong to that cascade's store (the referrer's).
        by_visit = people[
            (v_first[people] <= first[people]) & ~self.is_staff[people] & ~self.is_member[people]
        ]
        via = np.full(self.n_people, -1, dtype=np.int64)
        via[people] = vi.store[order][pos]
        home[by_visit] = via[by_visit]
        self.first = first
        self.home = home
        self.appeared = (first < np.iinfo(np.int64).max) | self.is_staff | self.is_member

    def _choose_agents(self) -> None:
        p, rng = self.p, self.rng
        cut = self.start + int(0.6 * p.days * DAY)
        cand = np.flatnonzero(~self.is_staff & (self.first < cut))
        cand = cand[np.argsort(self.home[cand], kind="stable")]
        bounds = np.searchsorted(self.home[cand], np.arange(p.stores + 1))
        agents: list[int] = []
        stores: list[int] = []
        for s in range(p.stores):
            c = cand[bounds[s] : bounds[s + 1]]
            k = min(len(c), max(1, int(rng.poisson(p.agents_per_store))))
            if k == 0:
                continue
            w = self.infl[c] / self.infl[c].sum()
            agents.extend(rng.choice(c, k, replace=False, p=w).tolist())
            stores.extend([s] * k)
        self.agent = np.array(agents, dtype=np.int64)
        self.agent_store = np.array(stores, dtype=np.int64)
        n = len(self.agent)
        first = self.first[self.agent]
        self.agent_at = np.minimum(first + rng.integers(DAY, 30 * DAY, n), self.end - 7 * DAY)
        self.agent_at = np.maximum(self.agent_at, first + 120)
        off = self.staff_start[self.agent_store]
        cnt = np.bincount(self.staff_store, minlength=p.stores)[self.agent_store]
        self.agent_by = off + (rng.random(n) * cnt).astype(np.int64)
        # The inviting staff member befriends the agent before the invitation.
        self.agent_friend_at = (
            first + 1 + (rng.random(n) * (self.agent_at - first - 1)).astype(np.int64)
        )

    def _all_shares(self) -> _Shares:
        return _Shares(
            *(
                np.concatenate([getattr(s, f) for s in self.shares])
                for f in ("sharer", "content", "channel", "at", "parent", "store")
            )
        )

    def _all_visits(self) -> _Visits:
        return _Visits(
            *(
                np.concatenate([getattr(v, f) for v in self.visits])
                for f in ("share", "visitor", "at", "action", "store")
            )
        )

    # -- other events ---------------------------------------------------------------------

    def build_friendships(self) -> None:
        rng = self.rng
        sh, vi = self._all_shares(), self._all_visits()
        sharer = sh.sharer[vi.share]
        staff_side = self.is_staff[sharer]
        # Staff befriend many of their share visitors; customers befriend a few.
        keep = rng.random(len(vi.at)) < np.where(staff_side, 0.3, 0.04)
        a, b = sharer[keep], vi.visitor[keep]
        at = vi.at[keep] + rng.lognormal(np.log(6 * 3600), 1.2, int(keep.sum())).astype(np.int64)
        at = at + 1
        # Colleagues at the same store are friends from early on.
        pa_, pb_ = [], []
        for s in range(self.p.stores):
            members = np.flatnonzero(self.staff_store == s)
            i, j = np.triu_indices(len(members), 1)
            pick = rng.random(len(i)) < 0.5
            pa_.append(members[i[pick]])
            pb_.append(members[j[pick]])
        ca, cb = np.concatenate(pa_), np.concatenate(pb_)
        c_at = self.start + rng.integers(0, 30 * DAY, len(ca))
        a = np.concatenate([a, ca, self.agent_by])
        b = np.concatenate([b, cb, self.agent])
        at = np.concatenate([at, c_at, self.agent_friend_at])
        ok = (at <= self.end) & (a != b)
        a, b, at = a[ok], b[ok], at[ok]
        # Each unordered pair once (its earliest); staff are written first in a pair.
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        order = np.lexsort((at, hi, lo))
        key = lo[order] * self.n_people + hi[order]
        first = np.concatenate([[True], key[1:] != key[:-1]]) if len(key) else key.astype(bool)
        sel = order[first]
        self.fr_a, self.fr_b, self.fr_at = a[sel], b[sel], at[sel]
        swap = ~self.is_staff[self.fr_a] & self.is_staff[self.fr_b]
        self.fr_a, self.fr_b = (
            np.where(swap, self.fr_b, self.fr_a),
            np.where(swap, self.fr_a, self.fr_b),
        )

    def build_orders(self) -> None:
        p, rng = self.p, self.rng
        vi = self._all_visits()
        engaged = np.zeros(self.n_people, dtype=bool)
        engaged[vi.visitor[vi.action > 0]] = True
        first = self.first.copy()
        np.minimum.at(first, self.fr_a, self.fr_at)
        np.minimum.at(first, self.fr_b, self.fr_at)
        never = np.iinfo(np.int64).max
        prospects = np.flatnonzero(~self.is_staff & ~self.is_member & (first < self.end - 600))
        w = 1.0 + 1.5 * engaged[prospects]
        prob = np.minimum(p.order_rate * w / max(w.mean(), 1e-9), 0.9)
        buyers = prospects[rng.random(len(prospects)) < prob]
        k = 1 + rng.poisson(0.5, len(buyers))
        who = np.repeat(buyers, k)
        lo = first[who] + 60
        span = (self.end - lo).astype(np.float64)
        at = lo + (rng.beta(1.2, 3.0, len(who)) * span).astype(np.int64)
        # Imported members keep buying too.
        mem = self.member_ids[rng.random(len(self.member_ids)) < 0.5]
        mk = 1 + rng.poisson(1.0, len(mem))
        m_who = np.repeat(mem, mk)
        m_at = self._times(np.full(len(m_who), self.start), np.full(len(m_who), self.end))
        self.ord_who = np.concatenate([who, m_who])
        self.ord_at = np.minimum(np.concatenate([at, m_at]), self.end)
        self.ord_store = self.home[self.ord_who]
        amount = np.round(rng.lognormal(np.log(150.0), 0.8, len(self.ord_who)), 2)
        self.ord_amount = np.maximum(amount, 1.0)
        self.first_any = np.where(first == never, self.start, first)

    def build_notes(self) -> None:
        p, rng = self.p, self.rng
        cust = np.flatnonzero(self.appeared & ~self.is_staff)
        cust = cust[np.argsort(self.home[cust], kind="stable")]
        per_store = np.bincount(self.home[cust], minlength=p.stores)
        off = np.concatenate([[0], np.cumsum(per_store)[:-1]])
        k = rng.poisson(p.notes_per_staff, self.n_staff)
        staff = np.repeat(np.arange(self.n_staff), k)
        s = self.staff_store[staff]
        has = per_store[s] > 0
        staff, s = staff[has], s[has]
        who = cust[off[s] + (rng.random(len(s)) * per_store[s]).astype(np.int64)]
        lo = np.maximum(self.first_any[who], self.start) + 60
        recent = rng.random(len(who)) < 0.2  # some notes fall in the last 14 days
        lo = np.where(recent, np.maximum(lo, self.end - 14 * DAY), lo)
        ok = lo < self.end
        staff, who, lo = staff[ok], who[ok], lo[ok]
        self.note_staff, self.note_who = staff, who
        self.note_at = self._times(lo, np.full(len(who), self.end))
        self.note_kind = rng.choice(3, len(who), p=[0.45, 0.25, 0.3])
        self.note_tag = rng.integers(0, len(NOTE_TAGS), len(who))
        self.note_text = np.where(
            rng.random(len(who)) < 0.6, rng.integers(0, len(NOTE_TEXTS), len(who)), -1
        )

    def finish(self) -> None:
        """Materialise the arrays and make the latest event land exactly on `end`."""
        self.sh = self._all_shares()
        self.vi = self._all_visits()
        # Moving the single latest event later keeps causality: nothing depends on it.
        groups = [self.sh.at, self.vi.at, self.ord_at, self.fr_at, self.agent_at, self.note_at]
        best = max(range(len(groups)), key=lambda i: groups[i].max() if len(groups[i]) else -1)
        if len(groups[best]):
            groups[best][int(np.argmax(groups[best]))] = self.end


# ----------------------------------------------------------------------------- output


def _frames(b: _Brand, fmt: Fmt) -> Iterator[tuple[str, int, Callable[[], Iterator[pd.DataFrame]]]]:
    """Per file type: name, row count and a factory of DataFrame chunks (strings built lazily)."""
    rng = b.rng
    pw = _width(b.n_people, 7)
    pnum = rng.permutation(b.n_people) + 1  # pseudonymous: id order says nothing about role/store
    sw = _width(b.p.stores, 4)
    cw = _width(b.p.contents, 4)

    def person(idx: Arr) -> Arr:
        return _ids("P", pnum[idx], pw)

    def store(idx: Arr) -> Arr:
        return _ids("S", np.asarray(idx) + 1, sw)

    def content(idx: Arr) -> Arr:
        return _ids("C", np.asarray(idx) + 1, cw)

    def optional(values: Arr, present: Arr) -> Arr:
        out = values.astype(object)
        out[~present] = None
        return out

    def chunked(
        n: int, make: Callable[[Arr], pd.DataFrame]
    ) -> Callable[[], Iterator[pd.DataFrame]]:
        def gen() -> Iterator[pd.DataFrame]:
            for lo in range(0, max(n, 1), CHUNK_ROWS):
                yield make(np.arange(lo, min(n, lo + CHUNK_ROWS)))

        return gen

    def event_order(at: Arr) -> Arr:
        # Chronological ids, then a local shuffle so files are not sorted by time.
        return np.argsort(at, kind="stable")[_local_shuffle(rng, len(at))]

    # Reference data.
    s_idx = np.arange(b.p.stores)
    names = []
    seen_names: dict[str, int] = {}
    for i in s_idx:
        base = f"{_CITIES[b.store_city[i]][0]} {_PLACES[b.store_place[i]]}"
        seen_names[base] = seen_names.get(base, 0) + 1
        names.append(base if seen_names[base] == 1 else f"{base} {seen_names[base]}")
    stores_df = pd.DataFrame(
        {
            "store_id": store(s_idx),
            "name": names,
            "city": [_CITIES[c][0] for c in b.store_city],
            "region": [_CITIES[c][1] for c in b.store_city],
            "opened_on": _dates(b.store_opened),
        }
    )
    yield "stores", len(stores_df), lambda: iter([stores_df])

    st = np.arange(b.n_staff)
    staff_df = pd.DataFrame(
        {
            "person_id": person(st),
            "store_id": store(b.staff_store),
            "role": np.array(ROLES)[b.staff_role],
            "display_name": [
                f"{_SURNAMES[k // len(_GIVEN)]} {_GIVEN[k % len(_GIVEN)]}" for k in b.staff_name
            ],
        }
    )
    yield "staff", len(staff_df), lambda: iter([staff_df])

    cidx = np.arange(b.p.contents)
    titles = []
    for i in cidx:
        kind = CONTENT_KINDS[b.content_kind[i]]
        topic = TOPICS[b.content_topics[i][0]]
        titles.append(_KIND_TITLES[kind].format(adj=_ADJ[b.content_adj[i]], topic=topic))
    topic_lists = [[TOPICS[t] for t in ts] for ts in b.content_topics]
    content_df = pd.DataFrame(
        {
            "content_id": content(cidx),
            "kind": np.array(CONTENT_KINDS)[b.content_kind],
            "title": titles,
            "topics": ["|".join(t) for t in topic_lists] if fmt == "csv" else topic_lists,
            "store_id": optional(store(np.maximum(b.content_store, 0)), b.content_store >= 0),
        }
    )
    yield "content", len(content_df), lambda: iter([content_df])

    members_df = pd.DataFrame(
        {
            "person_id": person(b.member_ids),
            "store_id": store(b.pool_store[b.member_ids]),
            "member_since": _dates(b.member_since),
        }
    )
    yield "members", len(members_df), lambda: iter([members_df])

    # Shares: ids numbered chronologically so a parent always has a smaller number.
    sh = b.sh
    n = len(sh.at)
    chrono = np.argsort(sh.at, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[chrono] = np.arange(n)
    hw = _width(n, 8)
    s_rows = chrono[_local_shuffle(rng, n)]

    def share_chunk(r: Arr) -> pd.DataFrame:
        i = s_rows[r]
        has_parent = sh.parent[i] >= 0
        parent = rank[np.maximum(sh.parent[i], 0)] + 1
        return pd.DataFrame(
            {
                "event_id": _ids("E-SHR-", rank[i] + 1, hw),
                "share_id": _ids("SH", rank[i] + 1, hw),
                "sharer_id": person(sh.sharer[i]),
                "content_id": content(sh.content[i]),
                "channel": np.array(CHANNELS)[sh.channel[i]],
                "at": _iso(sh.at[i]),
                "parent_share_id": optional(_ids("SH", parent, hw), has_parent),
            }
        )

    yield "shares", n, chunked(n, share_chunk)

    vi = b.vi
    nv = len(vi.at)
    v_chrono = np.argsort(vi.at, kind="stable")
    v_rank = np.empty(nv, dtype=np.int64)
    v_rank[v_chrono] = np.arange(nv)
    v_rows = v_chrono[_local_shuffle(rng, nv)]
    vw = _width(nv, 8)

    def visit_chunk(r: Arr) -> pd.DataFrame:
        i = v_rows[r]
        return pd.DataFrame(
            {
                "event_id": _ids("E-VIS-", v_rank[i] + 1, vw),
                "share_id": _ids("SH", rank[vi.share[i]] + 1, hw),
                "visitor_id": person(vi.visitor[i]),
                "at": _iso(vi.at[i]),
                "action": np.array(ACTIONS)[vi.action[i]],
            }
        )

    yield "visits", nv, chunked(nv, visit_chunk)

    def simple(
        prefix: str, at: Arr, cols: Callable[[Arr], dict[str, Any]]
    ) -> tuple[int, Callable[[], Iterator[pd.DataFrame]]]:
        m = len(at)
        chrono_ = np.argsort(at, kind="stable")
        rk = np.empty(m, dtype=np.int64)
        rk[chrono_] = np.arange(m)
        rows = chrono_[_local_shuffle(rng, m)]
        w = _width(m, 7)

        def make(r: Arr) -> pd.DataFrame:
            i = rows[r]
            return pd.DataFrame({"event_id": _ids(prefix, rk[i] + 1, w), **cols(i)})

        return m, chunked(m, make)

    yield (
        "orders",
        *simple(
            "E-ORD-",
            b.ord_at,
            lambda i: {
                "person_id": person(b.ord_who[i]),
                "store_id": store(b.ord_store[i]),
                "amount": b.ord_amount[i],
                "currency": np.full(len(i), "CNY"),
                "at": _iso(b.ord_at[i]),
            },
        ),
    )
    yield (
        "friendships",
        *simple(
            "E-FRN-",
            b.fr_at,
            lambda i: {
                "a_id": person(b.fr_a[i]),
                "b_id": person(b.fr_b[i]),
                "at": _iso(b.fr_at[i]),
            },
        ),
    )
    yield (
        "agents",
        *simple(
            "E-AGT-",
            b.agent_at,
            lambda i: {
                "person_id": person(b.agent[i]),
                "store_id": store(b.agent_store[i]),
                "invited_by": person(b.agent_by[i]),
                "at": _iso(b.agent_at[i]),
            },
        ),
    )
    texts = np.array([*NOTE_TEXTS, ""])
    yield (
        "notes",
        *simple(
            "E-NOT-",
            b.note_at,
            lambda i: {
                "staff_id": person(b.note_staff[i]),
                "person_id": person(b.note_who[i]),
                "at": _iso(b.note_at[i]),
                "kind": np.array(NOTE_KINDS)[b.note_kind[i]],
                "text": optional(
                    texts[b.note_text[i]], (b.note_text[i] >= 0) & (b.note_kind[i] != 2)
                ),
                "tag": optional(np.array(NOTE_TAGS)[b.note_tag[i]], b.note_kind[i] == 2),
            },
        ),
    )


def _arrow_schema(name: str) -> pa.Schema:
    types: dict[str, pa.DataType] = {"amount": pa.float64(), "topics": pa.list_(pa.string())}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS[name]])


def _write(path: Path, name: str, fmt: Fmt, chunks: Iterator[pd.DataFrame]) -> None:
    cols = list(COLUMNS[name])
    if fmt == "parquet":
        schema = _arrow_schema(name)
        with pq.ParquetWriter(path, schema) as writer:
            for df in chunks:
                table = pa.Table.from_pandas(df[cols], schema=schema, preserve_index=False)
                writer.write_table(table.replace_schema_metadata(None))
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        for k, df in enumerate(chunks):
            if fmt == "csv":
                df[cols].to_csv(
                    fh, index=False, header=k == 0, lineterminator="\n", float_format="%.2f"
                )
            elif len(df):
                text = df[cols].to_json(orient="records", lines=True)
                fh.write(text.rstrip("\n") + "\n")


def _nodes(b: _Brand) -> dict[str, int]:
    people = np.concatenate(
        [
            np.arange(b.n_staff),
            b.member_ids,
            b.sh.sharer,
            b.vi.visitor,
            b.ord_who,
            b.fr_a,
            b.fr_b,
            b.agent,
            b.note_who,
            b.note_staff,
        ]
    )
    members = np.union1d(b.member_ids, b.ord_who)
    topics = {t for ts in b.content_topics for t in ts}
    return {
        "Store": b.p.stores,
        "Staff": b.n_staff,
        "Person": len(np.unique(people)),
        "Member": len(members),
        "Agent": len(np.unique(b.agent)),
        "Content": b.p.contents,
        "Topic": len(topics),
        "Share": len(b.sh.at),
        "Order": len(b.ord_at),
    }


def generate(
    preset: str | Preset,
    seed: int,
    out: Path,
    fmt: Fmt = "csv",
    end: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerationSummary:
    """Generate a synthetic brand into `out` (plus `out/summary.json`) and return its summary."""
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
        name, p = preset, PRESETS[preset]
    else:
        name, p = "custom", preset
    if fmt not in ("csv", "jsonl", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; choose csv, jsonl or parquet")
    if p.stores < 1 or p.staff_per_store < 1 or p.contents < 1 or p.people < 1:
        raise ValueError("a preset needs at least one store, staff member, person and content")
    end = DEFAULT_END if end is None else end
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware")
    end = end.astimezone(UTC).replace(microsecond=0)
    say = progress or (lambda _msg: None)

    b = _Brand(p, seed, end)
    say("population")
    b.build_population()
    b.build_content()
    say("cascades")
    b.run_cascades()
    say("friendships, orders, notes")
    b.build_friendships()
    b.build_orders()
    b.build_notes()
    b.finish()

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    files: list[Path] = []
    for ftype, rows, chunks in _frames(b, fmt):
        path = out / f"{ftype}.{fmt}"
        say(f"writing {path.name} ({rows} rows)")
        _write(path, ftype, fmt, chunks())
        counts[ftype] = rows
        files.append(path)

    summary = GenerationSummary(
        counts=counts,
        nodes=_nodes(b),
        files=files,
        preset=name,
        seed=seed,
        fmt=fmt,
        end=end,
        settings={k: v for k, v in vars(p).items()},
    )
    (out / "summary.json").write_text(json.dumps(summary.to_dict(), indent=2) + "\n")
    say("done")
    return summary


__all__ = [
    "COLUMNS", "DEFAULT_END", "FILE_TYPES", "PRESETS", "TOPICS", "GenerationSummary", "Preset",
    "generate",
]  # fmt: skip
