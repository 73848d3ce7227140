// The latest influence_at on a person: when influence was last refreshed in a database scored
// before refreshes were recorded. A scan of every person, so loaders.status runs it only when
// status/influence_refresh finds no recorded refresh (one query holding both scanned every
// person on every call: the planner puts the scan under the test of the recorded refresh).
// mode: read
// params: none
// columns: scored_at (datetime or null)
MATCH (p:Person)
RETURN max(p.influence_at) AS scored_at
