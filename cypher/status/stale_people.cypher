// How many people wait for their derived data (referrer, home, ties, interests) to be
// recomputed: loads mark them :Stale, a derivation claims them as :Deriving and clears the
// mark when done (graph.derive); marks a stopped derivation left count too.
// mode: read
// params: none
// columns: people
MATCH (p:Person)
WHERE p:Stale OR p:Deriving
RETURN count(p) AS people
