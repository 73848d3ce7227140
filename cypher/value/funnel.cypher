// The funnel of people acquired in a window (DESIGN.md §5 "Customer value", funnel): each
// store's customers (non-staff, HOME at the store) who first appeared in [$start, $end), and
// how many of them, by $end:
// - activated: claimed a coupon, contacted sales, joined a group buy, or ordered;
// - retained: had a share, a visit or an order in a later week (Monday 00:00 UTC) than the
//   week of their first appearance;
// - bought: ordered (at any store);
// - referred: became the referrer of someone.
// One row per store (zeros when nobody was acquired).
// Each store's people are found from the store: only people have HOME relationships, so
// `p` needs no label, and without one the planner does not start from the first_seen
// index and read every person's relationships to find their HOME.
// mode: read
// params: $store_id (null: every store), $start (datetime), $end (datetime)
// columns: store_id, acquired, activated, retained, bought, referred
MATCH (s:Store)
WHERE $store_id IS NULL OR s.id = $store_id
CALL (s) {
  MATCH (s)<-[:HOME]-(p)
  WHERE NOT p:Staff AND $start <= p.first_seen < $end
  WITH p,
       datetime.truncate('week', datetime({datetime: p.first_seen, timezone: 'UTC'}))
         + duration({weeks: 1}) AS next_week
  WITH p,
       EXISTS { (p)-[:PLACED]->(o:Order) WHERE o.at < $end } AS bought,
       EXISTS {
         (p)-[v:VISITED]->(:Share)
         WHERE v.action IN ['claim_coupon', 'contact_sales', 'join_group_buy'] AND v.at < $end
       } AS engaged,
       EXISTS { (p)-[v:VISITED]->(:Share) WHERE next_week <= v.at < $end }
       OR EXISTS { (p)-[:SHARED]->(sh:Share) WHERE next_week <= sh.at < $end }
       OR EXISTS { (p)-[:PLACED]->(o:Order) WHERE next_week <= o.at < $end } AS retained,
       EXISTS { (p)-[e:REFERRED]->(:Person) WHERE e.at < $end } AS referred
  RETURN count(p) AS acquired,
         count(CASE WHEN engaged OR bought THEN 1 END) AS activated,
         count(CASE WHEN retained THEN 1 END) AS retained,
         count(CASE WHEN bought THEN 1 END) AS bought,
         count(CASE WHEN referred THEN 1 END) AS referred
}
RETURN s.id AS store_id, acquired, activated, retained, bought, referred
ORDER BY store_id
