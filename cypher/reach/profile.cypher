// Reach profile (DESIGN.md §5 "Reach"): reach(p, k) for k = 1..3, cascade_size (all
// descendants in the referral forest) and network_revenue (total order amount of them).
// mode: read
// params: $person_id
// columns: found, reach1, reach2, reach3, cascade_size, network_revenue
OPTIONAL MATCH (p:Person {id: $person_id})
OPTIONAL CALL (p) {
  MATCH path = (p)-[:REFERRED*1..]->(d:Person)
  WITH length(path) AS depth, d,
       COLLECT { MATCH (d)-[:PLACED]->(o:Order) RETURN o.amount } AS amounts
  RETURN sum(CASE WHEN depth <= 1 THEN 1 ELSE 0 END) AS reach1,
         sum(CASE WHEN depth <= 2 THEN 1 ELSE 0 END) AS reach2,
         sum(CASE WHEN depth <= 3 THEN 1 ELSE 0 END) AS reach3,
         count(d) AS cascade_size,
         sum(reduce(total = 0.0, a IN amounts | total + a)) AS network_revenue
}
RETURN p IS NOT NULL AS found, reach1, reach2, reach3, cascade_size, network_revenue
