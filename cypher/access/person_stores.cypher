// Which stores people belong to, for store-scoped access checks and for hiding people of other
// stores inside answers: each person's home store (DESIGN.md §5 "Home store") and, for staff,
// the store they work at. Unknown people give no row.
// mode: read
// params: $person_ids ([person id])
// columns: person_id, home_store_id, staff_store_id
UNWIND $person_ids AS person_id
MATCH (p:Person {id: person_id})
OPTIONAL MATCH (p)-[:HOME]->(home:Store)
OPTIONAL MATCH (p)-[:WORKS_AT]->(work:Store)
RETURN person_id, home.id AS home_store_id, work.id AS staff_store_id
