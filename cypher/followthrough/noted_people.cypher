// Follow-through of key nodes (see graph/followthrough.py): for each of the given people, the
// first note in [$start, $end) by a staff member of the store marking them contacted or
// visited, and the first order they placed after that note (at any time).
// mode: read
// params: $store_id, $ids ([person id]), $start (datetime), $end (datetime)
// columns: person_id, noted_at (or null), ordered_at (or null), ordered_amount (0 if none)
UNWIND $ids AS id
MATCH (p:Person {id: id})
OPTIONAL CALL (p) {
  MATCH (:Store {id: $store_id})<-[:WORKS_AT]-(:Staff)-[n:NOTED]->(p)
  WHERE n.kind IN ['contacted', 'visited'] AND $start <= n.at < $end
  RETURN min(n.at) AS noted_at
}
OPTIONAL CALL (p, noted_at) {
  MATCH (p)-[:PLACED]->(o:Order)
  WHERE noted_at IS NOT NULL AND o.at > noted_at
  RETURN min(o.at) AS ordered_at, sum(o.amount) AS ordered_amount
}
RETURN p.id AS person_id, noted_at, ordered_at, coalesce(ordered_amount, 0.0) AS ordered_amount
ORDER BY person_id
