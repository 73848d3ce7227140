// Person profile in one round trip: roles, home store, first appearance, referrer (DESIGN.md §5
// "Referrer"), reach for k = 1..3, cascade size and network revenue ("Reach"), stored
// influence and its percentile in the home store ("Influence"), interest tags ("Interest tags", top 10),
// manual tags and the last 10 notes, staff friends, orders. With $store_id, a person whose home
// is another store (or none) gives no row, exactly like an unknown person.
// One row, or none.
// mode: read
// params: $person_id, $store_id (null: no scope)
// columns: id, staff, role, display_name, member, member_since, agent, agent_since, store_id,
//   store_name, first_seen, first_kind, referrer_id, referred_at, reach1, reach2, reach3,
//   cascade_size, network_revenue, influence, store_influence, store_influence_pct, influence_at,
//   interests, manual_tags, notes, staff_friends, order_count, order_total,
//   last_order_at
MATCH (p:Person {id: $person_id})
OPTIONAL MATCH (p)-[:HOME]->(home:Store)
WITH p, home
WHERE $store_id IS NULL OR home.id = $store_id
OPTIONAL MATCH (referrer:Person)-[referral:REFERRED]->(p)
CALL (p) {
  OPTIONAL MATCH path = (p)-[:REFERRED*1..]->(d:Person)
  WITH length(path) AS depth, d,
       COLLECT { MATCH (d)-[:PLACED]->(o:Order) RETURN o.amount } AS amounts
  RETURN sum(CASE WHEN depth <= 1 THEN 1 ELSE 0 END) AS reach1,
         sum(CASE WHEN depth <= 2 THEN 1 ELSE 0 END) AS reach2,
         sum(CASE WHEN depth <= 3 THEN 1 ELSE 0 END) AS reach3,
         count(d) AS cascade_size,
         sum(reduce(total = 0.0, a IN amounts | total + a)) AS network_revenue
}
CALL (p) {
  OPTIONAL MATCH (p)-[:PLACED]->(o:Order)
  RETURN count(o) AS order_count, coalesce(sum(o.amount), 0.0) AS order_total,
         max(o.at) AS last_order_at
}
RETURN p.id AS id, p:Staff AS staff, p.role AS role, p.display_name AS display_name,
       p:Member AS member, p.member_since AS member_since, p:Agent AS agent,
       p.agent_since AS agent_since, home.id AS store_id, home.name AS store_name,
       p.first_seen AS first_seen, p.first_kind AS first_kind,
       referrer.id AS referrer_id, referral.at AS referred_at,
       reach1, reach2, reach3, cascade_size, network_revenue,
       coalesce(p.influence, 0.0) AS influence,
       coalesce(p.store_influence, 0.0) AS store_influence,
       p.store_influence_pct AS store_influence_pct, p.influence_at AS influence_at,
       COLLECT {
         MATCH (p)-[i:INTERESTED_IN]->(t:Topic)
         // Stored scores are as of their computation; decay them to now (0.5 per 30 days).
         WITH t, i.score * CASE WHEN i.as_of < datetime()
                                THEN 0.5 ^ (duration.inSeconds(i.as_of, datetime()).seconds
                                            / 2592000.0)
                                ELSE 1.0 END AS score
         RETURN {topic: t.name, score: score} ORDER BY score DESC, t.name LIMIT 10
       } AS interests,
       COLLECT {
         MATCH (:Staff)-[n:NOTED {kind: 'tag'}]->(p)
         WITH n.tag AS tag, count(*) AS times, max(n.at) AS last_at
         RETURN {tag: tag, times: times, last_at: last_at} ORDER BY last_at DESC, tag
       } AS manual_tags,
       COLLECT {
         MATCH (s:Staff)-[n:NOTED]->(p)
         RETURN {at: n.at, kind: n.kind, text: n.text, tag: n.tag, staff_id: s.id,
                 staff_name: s.display_name}
         ORDER BY n.at DESC, n.event_id DESC LIMIT 10
       } AS notes,
       COLLECT {
         MATCH (p)-[f:FRIEND_OF]-(s:Staff)
         WHERE s <> p
         RETURN {id: s.id, display_name: s.display_name, role: s.role,
                 store_id: s.staff_store_id, since: f.since}
         ORDER BY s.id
       } AS staff_friends,
       order_count, order_total, last_order_at
