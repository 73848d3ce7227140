// When influence was last refreshed: the recorded refresh (graph.influence), or, in a database
// scored before refreshes were recorded, the latest influence_at on a person (a full scan,
// done only then).
// mode: read
// params: none
// columns: refreshed_at (datetime or null), seconds (float or null)
OPTIONAL MATCH (r:InfluenceRefresh {scope: 'brand'})
CALL (r) {
  WITH r WHERE r IS NULL
  MATCH (p:Person)
  RETURN max(p.influence_at) AS scored_at
}
RETURN coalesce(r.at, scored_at) AS refreshed_at, r.seconds AS seconds
