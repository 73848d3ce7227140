// Every person with a referee: whose reach(p, 3) the stored-reach migration counts
// (graph.schema).
// mode: read
// params: none
// columns: id
MATCH (p:Person)
WHERE EXISTS { (p)-[:REFERRED]->(:Person) }
RETURN p.id AS id
