// HQ overview (DESIGN.md §5 "Store diagnosis", cascade depth): every store's network (the
// people whose HOME is the store, staff included) as one list of person ids per store. Only
// people have HOME relationships, so no label check is needed on them.
// mode: read
// params: none
// columns: store_id, people ([person id])
MATCH (s:Store)<-[:HOME]-(p)
RETURN s.id AS store_id, collect(p.id) AS people
