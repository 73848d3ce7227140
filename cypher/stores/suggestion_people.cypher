// Store diagnosis (DESIGN.md §5 "Store diagnosis", suggestions): the people the suggestions
// name. For the store's customers:
// - engaged prospects: prospects who claimed a coupon, contacted sales or joined a group buy
//   (any visit action other than 'view'), latest engagement first;
// - idle members: members and agents who have referred nobody, by store influence, then
//   money spent, then id;
// - unnoted key nodes: those of $key_ids whom no staff member of the store noted as
//   contacted or visited in [$noted_since, $now), in the order given.
// mode: read
// params: $store_id, $key_ids ([person id]), $noted_since (datetime), $now (datetime), $limit
//   (people named per list)
// columns: engaged_count, engaged, idle_count, idle, unnoted_key_nodes (id lists)
MATCH (s:Store {id: $store_id})
CALL (s) {
  OPTIONAL MATCH (p:Person)-[:HOME]->(s)
    WHERE NOT p:Staff AND NOT p:Member
  OPTIONAL CALL (p) {
    MATCH (p)-[v:VISITED]->(:Share)
      WHERE v.action <> 'view' AND v.at < $now
    RETURN max(v.at) AS engaged_at
  }
  WITH p, engaged_at
  WHERE engaged_at IS NOT NULL
  WITH p, engaged_at ORDER BY engaged_at DESC, p.id
  RETURN count(p) AS engaged_count, collect(p.id)[..$limit] AS engaged
}
CALL (s) {
  OPTIONAL MATCH (p:Person)-[:HOME]->(s)
    WHERE NOT p:Staff AND (p:Member OR p:Agent) AND NOT EXISTS { (p)-[:REFERRED]->() }
  WITH p, COLLECT { MATCH (p)-[:PLACED]->(o:Order) RETURN sum(o.amount) } [0] AS spent
  ORDER BY coalesce(p.store_influence, 0.0) DESC, spent DESC, p.id
  RETURN count(p) AS idle_count, collect(p.id)[..$limit] AS idle
}
CALL (s) {
  UNWIND range(0, size($key_ids) - 1) AS i
  MATCH (k:Person {id: $key_ids[i]})
  WHERE NOT EXISTS {
    MATCH (k)<-[n:NOTED]-(:Staff)-[:WORKS_AT]->(s)
    WHERE n.kind IN ['contacted', 'visited'] AND $noted_since <= n.at < $now
  }
  WITH k, i ORDER BY i
  RETURN collect(k.id) AS unnoted_key_nodes
}
RETURN engaged_count, engaged, idle_count, idle, unnoted_key_nodes
