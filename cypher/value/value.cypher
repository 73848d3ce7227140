// Customer value of store networks for a window (DESIGN.md §5 "Customer value"), over each
// store's customers (non-staff people whose HOME is the store):
// - customers: those who first appeared before $end;
// - active: customers with a share, a visit or an order in [$start, $end);
// - buyers: customers with an order (at any store) in the window; orders and cents: their
//   orders in the window and the amount in cents (orders are stored rounded to 2 decimals,
//   so integer cents add up exactly);
// - ever_buyers, repeat_buyers: customers with at least 1 and at least 2 orders before $end;
// - store_orders, store_cents: the orders placed AT the store in the window, whoever bought.
// One row per store (every store when $store_id is null; none for an unknown store).
// Only :Member people have orders (a paid order makes one), so the others are not expanded.
// mode: read
// params: $store_id (null: every store), $start (datetime), $end (datetime)
// columns: store_id, customers, active, buyers, orders, cents, ever_buyers, repeat_buyers,
//   store_orders, store_cents
MATCH (s:Store)
WHERE $store_id IS NULL OR s.id = $store_id
CALL (s) {
  OPTIONAL MATCH (p:Person)-[:HOME]->(s)
    WHERE NOT p:Staff
  CALL (p) {
    OPTIONAL MATCH (p:Member)-[:PLACED]->(o:Order)
      WHERE o.at < $end
    WITH o, o.at >= $start AS inside
    RETURN count(o) AS ever,
           count(CASE WHEN inside THEN 1 END) AS orders,
           sum(CASE WHEN inside THEN toInteger(round(o.amount * 100)) ELSE 0 END) AS cents
  }
  WITH p, ever, orders, cents,
       orders > 0
       OR EXISTS { (p)-[v:VISITED]->(:Share) WHERE $start <= v.at < $end }
       OR EXISTS { (p)-[:SHARED]->(sh:Share) WHERE $start <= sh.at < $end } AS active
  RETURN count(CASE WHEN p.first_seen < $end THEN 1 END) AS customers,
         count(CASE WHEN active THEN 1 END) AS active,
         count(CASE WHEN orders > 0 THEN 1 END) AS buyers,
         sum(orders) AS orders,
         sum(cents) AS cents,
         count(CASE WHEN ever >= 1 THEN 1 END) AS ever_buyers,
         count(CASE WHEN ever >= 2 THEN 1 END) AS repeat_buyers
}
CALL (s) {
  OPTIONAL MATCH (s)<-[:AT]-(o:Order)
    WHERE $start <= o.at < $end
  RETURN count(o) AS store_orders, sum(toInteger(round(o.amount * 100))) AS store_cents
}
RETURN s.id AS store_id, customers, active, buyers, orders, cents, ever_buyers, repeat_buyers,
       store_orders, store_cents
ORDER BY store_id
