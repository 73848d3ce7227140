// After a bulk import: held rows that name no one (content, stores) get `people: []`, as
// cypher/ingest/hold.cypher stores them; neo4j-admin cannot write an empty list (an empty
// array cell leaves the property unset).
// mode: write
// params: none
// columns: held (count)
MATCH (h:HeldEvent)
WHERE h.people IS NULL
SET h.people = []
RETURN count(h) AS held
