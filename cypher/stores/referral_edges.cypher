// Store diagnosis (DESIGN.md §5 "Store diagnosis", cascade depth and structural virality): the
// referral forest within one store's network — REFERRED edges whose two people both have
// their HOME at the store (staff included).
// mode: read
// params: $store_id
// columns: parent, child (person ids)
MATCH (s:Store {id: $store_id})<-[:HOME]-(child:Person)<-[:REFERRED]-(parent:Person)
WHERE EXISTS { (parent)-[:HOME]->(s) }
RETURN parent.id AS parent, child.id AS child
