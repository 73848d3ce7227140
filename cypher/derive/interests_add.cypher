// Folds new shares and visits into interest tags (DESIGN.md §5 "Interest tags") in the
// transaction that wrote them. A stored score S as of A is the sum at A; at $now it is
// S × 0.5^((now − A) / 30 days) plus the new events' terms, which the caller sums per person and
// content at $now (`add`, shares counting double). That holds only while no counted event lies
// after the time it was counted at: a score holding a future event (or a clock gone back) is
// recomputed instead, by marking the person :Stale for graph.derive.derive_stale. The person is
// locked first, as derivation locks them: a concurrent recomputation of their tags then runs
// wholly before or after this, so it can neither miss these terms nor count them twice.
// mode: write
// params: $rows ([{person_id, content_id, add, latest (the latest event's time, ISO text)}]),
//   $now (datetime, whole seconds)
// columns: none
CYPHER replan=skip
UNWIND $rows AS r
MATCH (p:Person {id: r.person_id})
SET p.derive_lock = true
REMOVE p.derive_lock
WITH p, r
MATCH (:Content {id: r.content_id})-[:ABOUT]->(t:Topic)
MERGE (p)-[i:INTERESTED_IN]->(t)
ON CREATE SET i.score = 0.0, i.as_of = $now
WITH p, i, r, datetime(r.latest) AS latest
WITH p, i, r, latest,
     coalesce(i.latest, i.as_of) > i.as_of OR latest > $now OR $now < i.as_of AS inexact
SET i.score = i.score * 0.5 ^ (duration.inSeconds(i.as_of, $now).seconds / 2592000.0) + r.add,
    i.as_of = $now,
    i.latest = CASE WHEN i.latest IS NULL OR latest > i.latest THEN latest ELSE i.latest END
WITH p WHERE inexact
SET p:Stale
