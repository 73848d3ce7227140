// Every person, grouped by home store (DESIGN.md §5 "Home store"): who is ranked in which
// store network, and who scores 0 for lack of an engagement edge; with the scores stored now,
// so that a refresh writes back only the people whose scores changed. One record per store;
// the lists are parallel, -1.0 standing for a score not stored (scores are never negative).
// mode: read
// params: none
// columns: store_id (null: people without a home), people ([person id]), influence ([float]),
//   store_influence ([float]), store_influence_pct ([float])
MATCH (p:Person)
OPTIONAL MATCH (p)-[:HOME]->(st:Store)
RETURN st.id AS store_id, collect(p.id) AS people,
       collect(coalesce(p.influence, -1.0)) AS influence,
       collect(coalesce(p.store_influence, -1.0)) AS store_influence,
       collect(coalesce(p.store_influence_pct, -1.0)) AS store_influence_pct
