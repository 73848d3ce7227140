// What the store map adds from the graph algorithms for the people drawn (graph.algorithms):
// circle and bridge mark (graph.circles) and the kinds of fraud flag that name them
// (graph.fraud).
// mode: read
// params: $ids ([person id])
// columns: id, circle, bridge, flags ([flag kind])
UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN p.id AS id, p.circle AS circle, coalesce(p.bridge, false) AS bridge,
       COLLECT { MATCH (f:Flag)-[:NAMES]->(p) RETURN DISTINCT f.kind ORDER BY f.kind } AS flags
