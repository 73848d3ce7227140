// The engagement graph among customers (graph.fraud, rings), projected into Graph Data
// Science undirected: a relationship between two non-staff people when either opened a share
// of the other. Staff are left out, so a group that came in through a staff share and then only
// engages within itself is a component of its own.
// mode: read
// params: $graph_name
// columns: graph_name (null when there is no such pair), nodes, relationships
MATCH (s:Person)-[:SHARED]->(:Share)<-[:VISITED]-(v:Person)
WHERE v <> s AND NOT s:Staff AND NOT v:Staff
WITH DISTINCT CASE WHEN s.id < v.id THEN s ELSE v END AS a,
              CASE WHEN s.id < v.id THEN v ELSE s END AS b
WITH gds.graph.project($graph_name, a, b, {}, {undirectedRelationshipTypes: ['*']}) AS g
RETURN g.graphName AS graph_name, g.nodeCount AS nodes, g.relationshipCount AS relationships
