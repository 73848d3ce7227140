// Forgets every stored circle, betweenness and bridge mark (graph.circles), before a refresh
// writes the new ones.
// mode: write
// params: none
// columns: cleared
MATCH (p:Person)
WHERE p.circle IS NOT NULL OR p.bridge IS NOT NULL
REMOVE p.circle, p.betweenness, p.bridge, p.bridges_circles, p.circles_at
RETURN count(p) AS cleared
