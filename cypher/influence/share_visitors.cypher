// The raw engagement of every sharer (DESIGN.md §5 "Influence"), for ranking outside the
// database: per sharer, the visitors of each of their shares, one list per share (a visitor
// visiting a share twice appears twice; the sharer's own visits are included). The caller
// keeps distinct (visitor, share) pairs with visitor <> sharer and counts them per (visitor,
// sharer) (graph.derive_columnar.engagement_edges): no aggregation in Cypher, and only ids
// cross the wire, one record per sharer.
// mode: read
// params: none
// columns: sharer (person id), shares ([[person id]]: the visitors of each share)
MATCH (s:Person)-[:SHARED]->(sh:Share)
WITH s, [(sh)<-[:VISITED]-(v:Person) | v.id] AS visitors
WHERE visitors <> []
RETURN s.id AS sharer, collect(visitors) AS shares
