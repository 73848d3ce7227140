// The data migrations already applied to this database (graph.schema).
// mode: read
// params: none
// columns: name
MATCH (m:Migration)
RETURN m.name AS name
