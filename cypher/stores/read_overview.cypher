// The precomputed HQ overview (written by stores/write_overview): every store's stored figures
// with its current name, city and region, in one read of the 1000-odd Store nodes; null
// figures for a store created since. One row; as_of is null when nothing was stored yet.
// mode: read
// params: none
// columns: as_of, computed_at, fingerprint, weeks ([int]), rows ([{store_id, name, city, region,
//   customers, members, agents, members_or_agents, referred_by_members_or_agents, new_people,
//   cascade_depth}])
OPTIONAL MATCH (o:StoreOverview {scope: 'brand'})
CALL (o) {
  MATCH (s:Store)
  WHERE o IS NOT NULL
  RETURN collect({
    store_id: s.id, name: s.name, city: s.city, region: s.region,
    customers: s.overview_customers, members: s.overview_members, agents: s.overview_agents,
    members_or_agents: s.overview_members_or_agents,
    referred_by_members_or_agents: s.overview_referred_by_members_or_agents,
    new_people: s.overview_new_people, cascade_depth: s.overview_cascade_depth
  }) AS rows
}
RETURN o.as_of AS as_of, o.computed_at AS computed_at, o.fingerprint AS fingerprint,
       o.weeks AS weeks, rows
