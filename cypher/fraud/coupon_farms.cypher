// Coupon farms (graph.fraud): shares of which at least $min_accounts people claimed the coupon
// (action claim_coupon) within $window_seconds of the share, each of them appearing for the
// first time with that claim (DESIGN.md §5 "First appearance") and doing nothing else ever: no
// other visit, no share, no order. One row per share, with the sharer's home store.
// mode: read
// params: $window_seconds, $min_accounts
// columns: sharer_id, store_id, share_id, shared_at, accounts ([person id]), first_claim,
//   last_claim
MATCH (f:Person)-[:SHARED]->(sh:Share)<-[v:VISITED {action: 'claim_coupon'}]-(c:Person)
WHERE c <> f AND NOT c:Staff AND c.first_seen = v.at
  AND v.at <= sh.at + duration({seconds: $window_seconds})
  AND COUNT { (c)-[:VISITED]->() } = 1
  AND NOT EXISTS { (c)-[:SHARED]->() }
  AND NOT EXISTS { (c)-[:PLACED]->() }
WITH f, sh, collect(c.id) AS accounts, min(v.at) AS first_claim, max(v.at) AS last_claim
WHERE size(accounts) >= $min_accounts
OPTIONAL MATCH (f)-[:HOME]->(st:Store)
RETURN f.id AS sharer_id, st.id AS store_id, sh.id AS share_id, sh.at AS shared_at,
       accounts, first_claim, last_claim
ORDER BY sharer_id, share_id
