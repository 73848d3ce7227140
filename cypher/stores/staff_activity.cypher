// Store diagnosis (DESIGN.md §5 "Store diagnosis", suggestions): each staff member of the store
// with the shares they made in [$since, $now) — who should share more.
// mode: read
// params: $store_id, $since (datetime), $now (datetime)
// columns: person_id, display_name, role, shares (ordered by shares, then id)
MATCH (m:Staff)-[:WORKS_AT]->(:Store {id: $store_id})
RETURN m.id AS person_id, m.display_name AS display_name, m.role AS role,
       COUNT { (m)-[:SHARED]->(sh:Share) WHERE $since <= sh.at < $now } AS shares
ORDER BY shares, person_id
