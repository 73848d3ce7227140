// Interest tags (DESIGN.md §5 "Interest tags"): for each person and topic, the sum over their
// shares and visits of content about the topic of 0.5^(age_days / 30), shares counting
// double; age measured at $as_of (events after it count as age 0). `latest` keeps the time of the
// latest event counted, so that derive/interests_add.cypher knows whether the score can be
// carried forward in time exactly.
// mode: write
// params: $ids ([person id]), $as_of (datetime)
// columns: links (INTERESTED_IN relationships written)
UNWIND $ids AS id
MATCH (p:Person {id: id})
// Locks the person before reading: two derivations of one person (concurrent loads or
// API calls) then run one after the other, and the second sees what the first wrote.
SET p.derive_lock = true
REMOVE p.derive_lock
WITH p
CALL (p) {
  OPTIONAL MATCH (p)-[old:INTERESTED_IN]->(:Topic)
  DELETE old
}
CALL (p) {
  MATCH (p)-[:SHARED]->(s:Share)-[:OF]->(:Content)-[:ABOUT]->(t:Topic)
  RETURN t, s.at AS at, 2.0 AS factor
  UNION ALL
  MATCH (p)-[v:VISITED]->(:Share)-[:OF]->(:Content)-[:ABOUT]->(t:Topic)
  RETURN t, v.at AS at, 1.0 AS factor
}
WITH p, t, factor, at,
     CASE WHEN at > $as_of THEN 0.0
          ELSE duration.inSeconds(at, $as_of).seconds / 86400.0 END AS age_days
WITH p, t, sum(factor * 0.5 ^ (age_days / 30.0)) AS score, max(at) AS latest
CREATE (p)-[:INTERESTED_IN {score: score, as_of: $as_of, latest: latest}]->(t)
RETURN count(*) AS links
