// Upserts content items and the topics they are ABOUT (topics no longer listed are unlinked).
// Parameters: $rows: [{content_id, kind, title, topics: [string], store_id}].
// Returns: nothing.
UNWIND $rows AS r
MERGE (c:Content {id: r.content_id})
SET c.kind = r.kind, c.title = r.title, c.store_id = r.store_id
WITH c, r
CALL (c, r) {
  OPTIONAL MATCH (c)-[old:ABOUT]->(t:Topic) WHERE NOT t.name IN r.topics
  DELETE old
}
CALL (c, r) {
  UNWIND r.topics AS name
  MERGE (t:Topic {name: name})
  MERGE (c)-[:ABOUT]->(t)
}
