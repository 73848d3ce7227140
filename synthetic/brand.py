"""The simulation: staff and loyal members start share cascades, visitors re-share, some
prospects buy, staff befriend and note customers. People are integer indices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from synthetic.arrays import Arr
from synthetic.presets import (
    ADJECTIVES,
    CHANNEL_MULT,
    CHANNEL_P,
    CITIES,
    CONTENT_KINDS,
    DAY,
    GIVEN_NAMES,
    HOUR_P,
    NOTE_TAGS,
    NOTE_TEXTS,
    PLACES,
    SURNAMES,
    TOPICS,
    Preset,
)


def local_shuffle(rng: np.random.Generator, n: int, frac: float = 0.2, window: int = 50) -> Arr:
    """Permutation that moves ~frac of rows up to `window` positions (out-of-order export)."""
    key = np.arange(n, dtype=np.float64)
    moved = rng.random(n) < frac
    key[moved] += rng.uniform(-window, window, int(moved.sum()))
    return np.argsort(key, kind="stable")


@dataclass
class Shares:
    sharer: Arr
    content: Arr
    channel: Arr
    at: Arr
    parent: Arr
    store: Arr


@dataclass
class Visits:
    share: Arr
    visitor: Arr
    at: Arr
    action: Arr
    store: Arr


class Brand:
    """The simulated brand; people are integer indices (staff first, then customers by store)."""

    def __init__(self, preset: Preset, seed: int, end: datetime) -> None:
        self.p = preset
        self.rng = np.random.default_rng(seed)
        self.end = int(end.timestamp())
        self.start = self.end - preset.days * DAY
        self.shares: list[Shares] = []
        self.visits: list[Visits] = []
        self.n_shares = 0

    # -- population -------------------------------------------------------------------

    def build_population(self) -> None:
        p, rng = self.p, self.rng
        s = p.stores
        self.store_city = rng.integers(0, len(CITIES), s)
        self.store_place = rng.integers(0, len(PLACES), s)
        self.store_opened = self.start - rng.integers(60, 8 * 365, s) * DAY

        lo = max(2, p.staff_per_store // 2)
        staff_n = np.maximum(lo, rng.poisson(p.staff_per_store, s))
        self.n_staff = int(staff_n.sum())
        self.staff_store = np.repeat(np.arange(s), staff_n)
        self.staff_start = np.concatenate([[0], np.cumsum(staff_n)[:-1]])
        role = np.where(rng.random(self.n_staff) < 0.4, 1, 2)
        role[self.staff_start] = 0  # exactly one manager, the first staff member of each store
        self.staff_role = role
        self.staff_name = rng.integers(0, len(SURNAMES) * len(GIVEN_NAMES), self.n_staff)

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
        mean_mult = float(CHANNEL_P @ CHANNEL_MULT)
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
        self.content_adj = rng.integers(0, len(ADJECTIVES), n)
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
        hour = rng.choice(24, len(lo), p=HOUR_P)
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
            channel = rng.choice(3, n, p=CHANNEL_P)
            idx = self.n_shares + np.arange(n)
            self.shares.append(Shares(sharer, content, channel, at, parent, store))
            self.n_shares += n

            mu = self.infl[sharer] * CHANNEL_MULT[channel]
            nv = rng.poisson(mu)
            rep = np.repeat(np.arange(n), nv)
            v_at = at[rep] + np.maximum(1, rng.lognormal(np.log(3 * 3600), 1.6, len(rep)))
            v_at = np.minimum(v_at, 30 * DAY + at[rep]).astype(np.int64)
            visitor = self._pick_visitors(store[rep])
            ok = (visitor != sharer[rep]) & (v_at <= self.end)
            rep, v_at, visitor = rep[ok], v_at[ok], visitor[ok]
            kind = self.content_kind[content[rep]]
            action = self._actions(kind)
            self.visits.append(Visits(idx[rep], visitor, v_at, action, store[rep]))

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

    def _all_shares(self) -> Shares:
        return Shares(
            *(
                np.concatenate([getattr(s, f) for s in self.shares])
                for f in ("sharer", "content", "channel", "at", "parent", "store")
            )
        )

    def _all_visits(self) -> Visits:
        return Visits(
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
        # Repeat buyers: extra orders per buyer, more when a member or agent brought them in.
        loyal = self._referred_by_members_or_agents(buyers)
        k = 1 + rng.poisson(p.repeat_orders * np.where(loyal, p.loyal_referral_repeat, 1.0))
        who = np.repeat(buyers, k)
        lo = first[who] + 60
        span = (self.end - lo).astype(np.float64)
        at = lo + (rng.beta(1.2, 3.0, len(who)) * span).astype(np.int64)
        # A repeat order comes at any time between the buyer's first order and the end.
        firsts = np.cumsum(k) - k
        again = np.arange(len(who)) != np.repeat(firsts, k)
        first_order = np.repeat(at[firsts], k)
        later = first_order + (rng.random(len(who)) * (self.end - first_order)).astype(np.int64)
        at = np.where(again, later, at)
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

    def _referred_by_members_or_agents(self, people: Arr) -> Arr:
        """Whether each person's first contact was a visit to a share of an imported member, or
        of an agent who was one by then (orders are drawn after this, so buying members count
        only when imported)."""
        sh, vi = self._all_shares(), self._all_visits()
        order = np.lexsort((vi.at, vi.visitor))
        visitors, pos = np.unique(vi.visitor[order], return_index=True)
        first_visit = np.full(self.n_people, -1, dtype=np.int64)
        first_visit[visitors] = order[pos]
        visit = first_visit[people]
        seen = visit >= 0
        at = np.where(seen, vi.at[np.maximum(visit, 0)], 0)
        referred = seen & (at <= self.first[people])
        sharer = sh.sharer[vi.share[np.maximum(visit, 0)]]
        agent_since = np.full(self.n_people, np.iinfo(np.int64).max, dtype=np.int64)
        agent_since[self.agent] = self.agent_at
        loyal = self.is_member[sharer] | (agent_since[sharer] <= at)
        return referred & loyal

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
