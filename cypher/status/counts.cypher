// The database's size in entities, from Neo4j's count store (constant time at any size).
// mode: read
// params: none
// columns: nodes, relationships, people
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
CALL () { MATCH (p:Person) RETURN count(p) AS people }
RETURN nodes, relationships, people
