// Writes share events: (:Person)-[:SHARED]->(:Share)-[:OF]->(:Content), and RESHARE_OF its
// parent. Rows were checked in the same transaction.
// Parameters: $rows: [{event_id, share_id, sharer_id, content_id, channel, at, parent_share_id}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
MATCH (c:Content {id: r.content_id})
MERGE (p:Person {id: r.sharer_id})
SET p:Stale
CREATE (p)-[:SHARED]->(s:Share {id: r.share_id, event_id: r.event_id, at: at,
                                 channel: r.channel, sharer_id: r.sharer_id})-[:OF]->(c)
WITH count(*) AS created
// Links after every share of the batch exists, so a parent may sit in the same batch.
UNWIND $rows AS r
WITH r WHERE r.parent_share_id IS NOT NULL
MATCH (s:Share {id: r.share_id}), (parent:Share {id: r.parent_share_id})
CREATE (s)-[:RESHARE_OF]->(parent)
