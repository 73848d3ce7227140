"""Store diagnosis and the HQ overview (DESIGN.md §5 "Store diagnosis").

A store's network is the people whose HOME is the store; its customers are the non-staff among
them. Where DESIGN.md leaves room, the definitions are (and the API serves exactly these):

- tier by customers: starter < 100 <= growing < 1000 <= established < 10000 <= large;
- prospects = customers who are not members; conversion rate = members / customers (0 without
  customers);
- fission ratio = customers whose referrer is a member or agent customer of the same store,
  divided by the store's members and agents (counted once each); 0 when there are none;
- the 100 -> 10 -> 100 plan, three stages, each with its actual figure and target:
  1. `prospects_reached`: customers the programme brought in (all but imported members), target
     100;
  2. `new_members`: of those, the ones who became members (a paid order), target 10 (10% of
     the first stage's 100);
  3. `brought_by_new_members`: customers a new member referred after becoming a member, target
     10 per new member (no target, so no progress, while there are no new members);
- new people per week: customers whose first appearance falls in each of the 8 seven-day
  weeks before `now` (oldest first; staff are not new people);
- cascades: the referral forest restricted to the store network (REFERRED edges whose two
  people both belong to it); `max_depth` = its longest chain; `structural_virality` = the mean
  of the trees' structural virality (DESIGN.md §5 "Structural virality") over the trees with
  at least 2 people, each weighted by its number of people, so big cascades dominate and many
  one-referral trees (virality 1) do not hide them; the largest tree's own virality is given
  beside it;
- suggestions: the rules in `graph.stores.suggestions`, in that order, each naming the people
  to act on.

The parts: `model` (answers, tiers, the plan), `diagnosis` (one store), `suggestions` (the
plain-language advice), `funnel` (visits -> coupon claims / sales contacts -> orders),
`overview` (every store at once, for HQ, with the brand's totals).
"""

from graph.stores.diagnosis import cascades, store_diagnosis
from graph.stores.funnel import conversion_funnel
from graph.stores.model import (
    TIER_NAMES,
    BrandSummary,
    ConversionFunnel,
    HQOverviewPage,
    StoreDiagnosis,
    StoreOverviewRow,
    Tier,
    plan_stages,
    tier,
)
from graph.stores.overview import (
    SORTS,
    OverviewRefresh,
    brand_summary,
    hq_overview,
    refresh_store_overview,
)
from graph.stores.suggestions import suggestions

__all__ = [
    "SORTS", "TIER_NAMES", "BrandSummary", "ConversionFunnel", "HQOverviewPage",
    "OverviewRefresh", "StoreDiagnosis", "StoreOverviewRow", "Tier", "brand_summary",
    "cascades", "conversion_funnel", "hq_overview", "plan_stages", "refresh_store_overview",
    "store_diagnosis", "suggestions", "tier",
]  # fmt: skip
