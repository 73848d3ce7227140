// Writes order events: (:Person)-[:PLACED]->(:Order)-[:AT]->(:Store); a paid order makes the
// buyer a :Member from its time on.
// Parameters: $rows: [{event_id, person_id, store_id, amount, currency, at}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, datetime(r.at) AS at
MATCH (st:Store {id: r.store_id})
MERGE (p:Person {id: r.person_id})
SET p:Member:Stale,
    p.member_since = CASE WHEN p.member_since IS NULL OR at < p.member_since
                          THEN at ELSE p.member_since END
CREATE (p)-[:PLACED]->(o:Order {id: r.event_id, at: at, amount: r.amount,
                                 currency: r.currency, store_id: r.store_id})-[:AT]->(st)
