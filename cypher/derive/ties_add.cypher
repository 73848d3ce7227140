// Folds new events into social ties (DESIGN.md §5 "Social ties": weight = 3 × friendship +
// 2 × referral + visits either made to the other's shares) in the transaction that wrote them:
// adds visits, sets the friendship and referral parts given, and recomputes the weight; a tie
// whose weight falls to 0 is deleted. Stored once per pair, from the smaller id to the larger
// (as derive/knows.cypher, which recomputes a person's ties from scratch, stores them).
// Both people are locked first, as every derivation step locks the people it recomputes: a
// concurrent derivation of either then runs wholly before or after this, never around it.
// mode: write
// params: $rows ([{a, b (a < b), visits (added), friends (true, or null: unchanged),
//   referral (true | false, or null: unchanged)}])
// columns: none
CYPHER replan=skip
UNWIND $rows AS r
MATCH (a:Person {id: r.a})
MATCH (b:Person {id: r.b})
SET a.derive_lock = true, b.derive_lock = true
REMOVE a.derive_lock, b.derive_lock
MERGE (a)-[k:KNOWS]->(b)
ON CREATE SET k.friends = false, k.referral = false, k.visits = 0
SET k.visits = k.visits + r.visits,
    k.friends = coalesce(r.friends, k.friends),
    k.referral = coalesce(r.referral, k.referral)
WITH k, 3 * toInteger(k.friends) + 2 * toInteger(k.referral) + k.visits AS weight
SET k.weight = weight
WITH k WHERE weight = 0
DELETE k
