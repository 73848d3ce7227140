// Every person, grouped by home store (DESIGN.md §5 "Home store"): who is ranked in which
// store network, and who scores 0 for lack of an engagement edge. One record per store.
// mode: read
// params: none
// columns: store_id (null: people without a home), people ([person id])
MATCH (p:Person)
OPTIONAL MATCH (p)-[:HOME]->(st:Store)
RETURN st.id AS store_id, collect(p.id) AS people
