// Which stores a person belongs to, for store-scoped access checks: their home store
// (DESIGN.md §5 "Home store") and, for staff, the store they work at. No row when the person is
// unknown.
// mode: read
// params: $person_id
// columns: home_store_id, staff_store_id
MATCH (p:Person {id: $person_id})
OPTIONAL MATCH (p)-[:HOME]->(home:Store)
OPTIONAL MATCH (p)-[:WORKS_AT]->(work:Store)
RETURN home.id AS home_store_id, work.id AS staff_store_id
