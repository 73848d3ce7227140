// The conversion funnel of a store's customers (non-staff people whose HOME is the store) in
// [$start, $end), three nested stages (graph.stores.funnel):
// - visited: customers with a visit to a shared link in the window;
// - engaged: of those, who claimed a coupon or contacted sales in the window (with each of the
//   two counted on its own: a person may do both);
// - ordered: of the engaged, who placed an order (at any store) in the window at or after
//   their first coupon claim or sales contact in it.
// mode: read
// params: $store_id, $start (datetime), $end (datetime)
// columns: store_id, visited, claimed_coupon, contacted_sales, engaged, ordered (no row for an
//   unknown store)
MATCH (s:Store {id: $store_id})
OPTIONAL MATCH (p:Person)-[:HOME]->(s)
  WHERE NOT p:Staff
    AND EXISTS { (p)-[v:VISITED]->(:Share) WHERE $start <= v.at < $end }
CALL (p) {
  OPTIONAL MATCH (p)-[v:VISITED]->(:Share)
    WHERE $start <= v.at < $end AND v.action IN ['claim_coupon', 'contact_sales']
  RETURN min(v.at) AS engaged_at,
         count(CASE WHEN v.action = 'claim_coupon' THEN 1 END) > 0 AS claimed,
         count(CASE WHEN v.action = 'contact_sales' THEN 1 END) > 0 AS contacted
}
WITH s, p, engaged_at, claimed, contacted,
     CASE WHEN engaged_at IS NULL THEN false
          ELSE EXISTS { (p)-[:PLACED]->(o:Order) WHERE engaged_at <= o.at < $end } END AS ordered
RETURN s.id AS store_id,
       count(p) AS visited,
       count(CASE WHEN claimed THEN 1 END) AS claimed_coupon,
       count(CASE WHEN contacted THEN 1 END) AS contacted_sales,
       count(engaged_at) AS engaged,
       count(CASE WHEN ordered THEN 1 END) AS ordered
