// When influence was last refreshed, as graph.influence records it (one index seek). No row
// when no refresh was recorded: loaders.status then falls back to status/influence_scored_at.
// mode: read
// params: none
// columns: refreshed_at (datetime), seconds (float)
MATCH (r:InfluenceRefresh {scope: 'brand'})
RETURN r.at AS refreshed_at, r.seconds AS seconds
