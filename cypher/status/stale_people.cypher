// How many people wait for their derived data (referrer, home, ties, interests) to be
// recomputed: loads mark them :Stale and derivation clears the mark (graph.derive).
// mode: read
// params: none
// columns: people
MATCH (p:Person:Stale)
RETURN count(p) AS people
