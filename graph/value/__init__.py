"""Customer value and agent candidates (DESIGN.md §5 "Customer value", "Agent candidates").

Seeds 002 and 004 judge a private-domain programme by money: GMV = people * conversion * order
value, repeat purchase, lifetime value; seed 001 by the AARRR funnel; seed 000 names "invite
them to become an agent" as the third conversion action. Every figure is over a store's
customers (non-staff people whose HOME is the store), for a window [start, end):

- `store_value`: *active* customers (a share, a visit or an order in the window), *buyers*
  (active customers with an order at any store in the window), their *orders* and *amount*,
  and the GMV identity amount = active * (buyers / active) * (orders / buyers) *
  (amount / orders), each factor reported and the identity checked in code
  (`gmv.gmv_factors`); beside it the amount of the orders placed *at* the store (whoever
  bought), and the repeat purchase rate (customers with >= 2 orders before `end` / customers
  with >= 1). Default window: the 30 days before now. `store_value_vs_median` sets it beside
  the median store's (each factor's median over the stores where it is defined).
- `store_retention`: customers grouped by the week (Monday 00:00 UTC) of their first
  appearance; for offsets k = 1..8 the share of a cohort with a share, visit or order in week
  cohort + k, only for offsets that have fully elapsed by `end` (null otherwise). The cohorts
  are the Monday weeks that overlap [start, end) (a cohort holds the customers who first
  appeared in its week, before `end`). Default: the 12 weeks before now.
- `store_sources`: customers who first appeared before `end` (and at or after `start`, when
  given; default: all of them) by acquisition source — what their referrer was when the
  referral was made: `staff`, `agent` (agent by then), `member` (ordered or imported as member
  by then), `prospect`, or `none` (no referrer) — and by generation below their nearest staff
  ancestor (`1`, `2`, `3`, `4+`, `none`); per group: people, conversion (people with an order /
  people), mean orders and mean lifetime value (all their orders before `end`, any store).
- `store_funnel`: customers who first appeared in the window → activated (claimed a coupon,
  contacted sales, joined a group buy, or ordered) → retained (a share, visit or order in a
  later week than that of their first appearance) → bought → referred (became someone's
  referrer); everything counted up to `end`. Each stage is a condition on the acquired
  people, not on the stage before it (someone may buy in their first week, or refer without
  buying), and is reported as a count and a share of those acquired. Default: 30 days.
- `agent_candidates`: the store's members who are not agents, ranked by store influence,
  then reach(p, 3), then spend (all their orders), with the reasons; top 5 by default. The
  store diagnosis suggests inviting the top ones who have brought someone in (reach(p, 3)
  >= 1) to become agents (rule `invite_agents` in graph.stores.suggestions).

Where DESIGN.md leaves room:

- "an event as actor" is a share, a visit or an order everywhere here, as *active* defines
  it: friendships (recorded for both sides) and imports are first appearances, not activity;
- amounts are added in integer cents (orders are stored rounded to 2 decimals), so totals and
  the GMV identity are exact; amounts are added as they are, whatever their currency (a brand
  reports in one currency);
- ratios with a zero denominator are 0 (a retention cell with no cohort is null);
- the brand-wide versions (`brand_*`) answer one row per store plus the brand's figures, which
  are those of all stores' customers together (people with no home store belong to no store
  and are left out), and, for the GMV factors, the median store. Asked without a window they
  answer from the snapshot `refresh_value_snapshot` stores (graph.value.snapshot).
"""

from graph.value.candidates import (
    AgentCandidate,
    BrandAgentCandidates,
    StoreAgentCandidates,
    agent_candidates,
    brand_agent_candidates,
)
from graph.value.common import ALL, Paging
from graph.value.funnel import BrandFunnel, FunnelStage, StoreFunnel, brand_funnel, store_funnel
from graph.value.gmv import (
    BrandValue,
    FactorMedians,
    GmvFactors,
    StoreValue,
    StoreValueComparison,
    StoreValueRow,
    ValueFigures,
    brand_value,
    gmv_factors,
    store_value,
    store_value_vs_median,
)
from graph.value.report import (
    PARTS,
    BrandValueReport,
    StoreValueReport,
    brand_report,
    precomputed_brand_report,
    store_report,
)
from graph.value.retention import (
    BrandRetention,
    Cohort,
    RetentionRow,
    StoreRetention,
    brand_retention,
    store_retention,
)
from graph.value.snapshot import SnapshotReport, refresh_value_snapshot
from graph.value.sources import (
    BrandSources,
    SourceRow,
    StoreSources,
    ValueGroup,
    brand_sources,
    store_sources,
)

__all__ = [
    "ALL",
    "PARTS",
    "AgentCandidate",
    "BrandAgentCandidates",
    "BrandFunnel",
    "BrandRetention",
    "BrandSources",
    "BrandValue",
    "BrandValueReport",
    "Cohort",
    "FactorMedians",
    "FunnelStage",
    "GmvFactors",
    "Paging",
    "RetentionRow",
    "SnapshotReport",
    "SourceRow",
    "StoreAgentCandidates",
    "StoreFunnel",
    "StoreRetention",
    "StoreSources",
    "StoreValue",
    "StoreValueComparison",
    "StoreValueReport",
    "StoreValueRow",
    "ValueFigures",
    "ValueGroup",
    "agent_candidates",
    "brand_agent_candidates",
    "brand_funnel",
    "brand_report",
    "brand_retention",
    "brand_sources",
    "brand_value",
    "gmv_factors",
    "precomputed_brand_report",
    "refresh_value_snapshot",
    "store_funnel",
    "store_report",
    "store_retention",
    "store_sources",
    "store_value",
    "store_value_vs_median",
]
