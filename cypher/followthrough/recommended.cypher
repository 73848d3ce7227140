// Follow-through of served recommendations (see graph/followthrough.py): for each staff member
// of the store and each person recommended to them in [$start, $end) (RECOMMENDED), the first
// such recommendation, the first note by that same staff member marking the person contacted
// or visited at or after it and before $end, and the first order the person placed after
// that note (at any time).
// mode: read
// params: $store_id, $start (datetime), $end (datetime)
// columns: staff_id, person_id, recommended_at, noted_at (or null), ordered_at (or null),
//   ordered_amount (total after the note; 0 if none)
// The staff members' records of the period's days (UTC) are found through the RECOMMENDED
// (staff_id, day) index, not by walking every day's (a week after a year of daily lists: 3 000
// db hits instead of 82 000 for a store).
MATCH (:Store {id: $store_id})<-[:WORKS_AT]-(s:Staff)
WITH s, date(datetime({datetime: $start, timezone: 'UTC'})) AS first_day,
     date(datetime({datetime: $end, timezone: 'UTC'})) AS last_day
MATCH ()-[r:RECOMMENDED]->(p:Person)
WHERE r.staff_id = s.id AND first_day <= r.day <= last_day AND $start <= r.at < $end
WITH s, p, min(r.at) AS recommended_at
OPTIONAL CALL (s, p, recommended_at) {
  MATCH (s)-[n:NOTED]->(p)
  WHERE n.kind IN ['contacted', 'visited'] AND recommended_at <= n.at < $end
  RETURN min(n.at) AS noted_at
}
OPTIONAL CALL (p, noted_at) {
  MATCH (p)-[:PLACED]->(o:Order)
  WHERE noted_at IS NOT NULL AND o.at > noted_at
  RETURN min(o.at) AS ordered_at, sum(o.amount) AS ordered_amount
}
RETURN s.id AS staff_id, p.id AS person_id, recommended_at, noted_at, ordered_at,
       coalesce(ordered_amount, 0.0) AS ordered_amount
ORDER BY staff_id, person_id
