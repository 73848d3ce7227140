// Records that a data migration has been applied (graph.schema), once.
// mode: write
// params: $name
// columns: none
MERGE (m:Migration {name: $name})
ON CREATE SET m.applied_at = datetime()
