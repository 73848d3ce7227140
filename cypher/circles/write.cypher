// Stores circles on people (graph.circles): circle (1 = the store's largest), betweenness,
// bridge (a top introducer between circles) with the circles they tie into, and when.
// mode: write
// params: $rows ([{id, circle, betweenness, bridge, bridges_circles}]), $at (datetime)
// columns: none
UNWIND $rows AS r
MATCH (p:Person {id: r.id})
SET p.circle = r.circle, p.betweenness = r.betweenness, p.bridge = r.bridge,
    p.bridges_circles = r.bridges_circles, p.circles_at = $at
