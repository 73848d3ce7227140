// Records the latest influence refresh (one node for the brand), so that how fresh the scores
// are is one lookup instead of a scan of everyone's influence_at.
// mode: write
// params: $at (datetime), $seconds (float), $people (count)
// columns: none
MERGE (r:InfluenceRefresh {scope: 'brand'})
SET r.at = $at, r.seconds = $seconds, r.people = $people
