// Checks and writes share events: (:Person)-[:SHARED]->(:Share)-[:OF]->(:Content), and
// RESHARE_OF the parent share. Refused: a duplicate event, a share id taken by another event, a
// reshare earlier than its parent; held back: unknown content or parent share (`missing` names
// it: 'content:<id>', 'share:<id>'). Rows are checked and written one after the other (a
// subquery per row), so a reshare sees a parent written by an earlier row of the same batch.
// Returns one row per row it did not apply; applied rows return nothing.
// mode: write
// params: $rows ([{i, event_id, share_id, sharer_id, content_id, channel, at, parent_share_id}])
// columns: i, status ('duplicate' | 'pending' (unknown reference) | 'rejected'), reason,
//   missing (what a pending row waits for)
CYPHER replan=skip
UNWIND $rows AS r
CALL (r) {
  WITH r, datetime(r.at) AS at
  OPTIONAL MATCH (same:Share {id: r.share_id})
  OPTIONAL MATCH (c:Content {id: r.content_id})
  OPTIONAL MATCH (parent:Share {id: r.parent_share_id})
  WITH r, at, c, parent,
       CASE
         WHEN same IS NOT NULL AND same.event_id = r.event_id THEN ['duplicate', null, null]
         WHEN same IS NOT NULL
           THEN ['rejected', 'share_id ' + r.share_id + ' already belongs to event '
                           + same.event_id, null]
         WHEN c IS NULL
           THEN ['pending', 'unknown content_id ' + r.content_id, 'content:' + r.content_id]
         WHEN r.parent_share_id IS NOT NULL AND parent IS NULL
           THEN ['pending', 'unknown parent_share_id ' + r.parent_share_id,
                 'share:' + r.parent_share_id]
         WHEN parent IS NOT NULL AND at < parent.at
           THEN ['rejected', 'reshare at ' + toString(at) + ' is earlier than its parent share at '
                           + toString(parent.at), null]
         ELSE ['accepted', null, null]
       END AS verdict
  CALL (r, at, c, parent, verdict) {
    WITH r, at, c, parent WHERE verdict[0] = 'accepted'
    MERGE (p:Person {id: r.sharer_id})
    CREATE (p)-[:SHARED]->(s:Share {id: r.share_id, event_id: r.event_id, at: at,
                                     channel: r.channel, sharer_id: r.sharer_id})-[:OF]->(c)
    WITH s, parent WHERE parent IS NOT NULL
    CREATE (s)-[:RESHARE_OF]->(parent)
  }
  RETURN verdict
}
WITH r, verdict WHERE verdict[0] <> 'accepted'
RETURN r.i AS i, verdict[0] AS status, verdict[1] AS reason, verdict[2] AS missing
