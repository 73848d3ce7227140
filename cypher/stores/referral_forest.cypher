// HQ overview (DESIGN.md §5 "Store diagnosis", cascade depth): the whole referral forest as two
// parallel lists, read with one scan of the REFERRED relationships (they only join people).
// mode: read
// params: none
// columns: parents ([person id]), children ([person id] (parents[i] referred children[i]))
MATCH (parent)-[:REFERRED]->(child)
RETURN collect(parent.id) AS parents, collect(child.id) AS children
