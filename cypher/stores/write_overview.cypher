// Stores the precomputed HQ overview (graph.stores.overview.refresh_store_overview): each
// store's figures on its Store node (overview_* properties: customers, members, agents,
// members_or_agents, referred_by_members_or_agents, new_people over the 4 weeks before $as_of,
// cascade_depth), and on one StoreOverview node the time the figures are as of, when they were
// computed, the brand's fingerprint (stores/brand_fingerprint, as JSON) read before computing,
// and the brand's new people per week.
// mode: write
// params: $rows ([{store_id, customers, members, agents, members_or_agents,
//   referred_by_members_or_agents, new_people, cascade_depth}]), $as_of (datetime),
//   $computed_at (datetime), $fingerprint (JSON text), $weeks ([int] (oldest week first))
// columns: none
MERGE (o:StoreOverview {scope: 'brand'})
SET o.as_of = $as_of, o.computed_at = $computed_at, o.fingerprint = $fingerprint,
    o.weeks = $weeks
WITH o
UNWIND $rows AS r
MATCH (s:Store {id: r.store_id})
SET s.overview_customers = r.customers, s.overview_members = r.members,
    s.overview_agents = r.agents, s.overview_members_or_agents = r.members_or_agents,
    s.overview_referred_by_members_or_agents = r.referred_by_members_or_agents,
    s.overview_new_people = r.new_people, s.overview_cascade_depth = r.cascade_depth
