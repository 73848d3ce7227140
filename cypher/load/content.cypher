// Checks and upserts content items and the topics they are ABOUT (topics no longer listed are
// unlinked); a store-specific item must name a known store.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, content_id, kind, title, topics: [string], store_id}])
// columns: i, status ('pending' (unknown reference)), reason,
//   missing (what a pending row waits for: 'store:<id>')
UNWIND $rows AS r
OPTIONAL MATCH (st:Store {id: r.store_id})
WITH r, CASE WHEN r.store_id IS NOT NULL AND st IS NULL
             THEN ['pending', 'unknown store_id ' + r.store_id, 'store:' + r.store_id]
             ELSE ['accepted', null, null] END AS verdict
CALL (r, verdict) {
  WITH r WHERE verdict[0] = 'accepted'
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
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing
