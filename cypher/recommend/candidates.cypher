// Recommended contacts (DESIGN.md §5 "Recommended contacts"): of the given key nodes, those
// who are not the staff member's friends (FRIEND_OF) and whom the staff member has not noted as
// contacted or visited in [$noted_since, $now]; with the ranking inputs: nearness over KNOWS
// (1 = a direct tie, 2 = a common tie, null = further or unreachable), events as an actor
// (shares, visits, orders) in [$active_since, $now], interest score in $topic (0 without one)
// and the top 3 interests. Interest scores ("Interest tags") were computed at their `as_of`
// (the person's last load); every term of the sum decays alike, so the factor
// 0.5^(seconds since as_of / 2592000), 30 days being 2592000 s, gives the score at $now and
// makes people last loaded at different times comparable.
// mode: read
// params: $staff_id, $ids ([person id]), $now, $noted_since, $active_since, $topic (or null)
// columns: id, near_hops, recent_events, topic_score, interests ([{topic, score}])
// Staff are found through the Person id index: `(s:Staff {id: ...})` scans every staff member.
// The staff member's ties are listed once: testing each candidate's ties against them costs a
// fraction of expanding two hops out of the staff member per candidate.
MATCH (s:Person {id: $staff_id}) WHERE s:Staff
WITH s, COLLECT { MATCH (s)-[:KNOWS]-(m:Person) RETURN DISTINCT m } AS ties
UNWIND $ids AS id
MATCH (c:Person {id: id})
WHERE NOT EXISTS { (s)-[:FRIEND_OF]-(c) }
  AND NOT EXISTS {
    MATCH (s)-[n:NOTED]->(c)
    WHERE n.kind IN ['contacted', 'visited'] AND $noted_since <= n.at <= $now
  }
RETURN c.id AS id,
       CASE WHEN c IN ties THEN 1
            WHEN EXISTS { (c)-[:KNOWS]-(m) WHERE m IN ties } THEN 2 END AS near_hops,
       COUNT { (c)-[:SHARED]->(x:Share) WHERE $active_since <= x.at <= $now }
       + COUNT { (c)-[v:VISITED]->(:Share) WHERE $active_since <= v.at <= $now }
       + COUNT { (c)-[:PLACED]->(o:Order) WHERE $active_since <= o.at <= $now } AS recent_events,
       coalesce(head(COLLECT {
         MATCH (c)-[i:INTERESTED_IN]->(:Topic {name: $topic})
         RETURN i.score * CASE WHEN i.as_of < $now
                               THEN 0.5 ^ (duration.inSeconds(i.as_of, $now).seconds / 2592000.0)
                               ELSE 1.0 END
       }), 0.0) AS topic_score,
       COLLECT {
         MATCH (c)-[i:INTERESTED_IN]->(t:Topic)
         WITH t, i.score * CASE WHEN i.as_of < $now
                                THEN 0.5 ^ (duration.inSeconds(i.as_of, $now).seconds / 2592000.0)
                                ELSE 1.0 END AS score
         RETURN {topic: t.name, score: score} ORDER BY score DESC, t.name LIMIT 3
       } AS interests
