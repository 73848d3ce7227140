// A store's stored circles (graph.circles): every person of its network with a circle, with
// what the circle view shows about them.
// mode: read
// params: $store_id
// columns: found, people ([{id, circle, betweenness, bridge, bridges_circles, store_influence,
//   staff, member, agent, display_name, circles_at}])
OPTIONAL MATCH (st:Store {id: $store_id})
RETURN st IS NOT NULL AS found,
       COLLECT {
         MATCH (p:Person)-[:HOME]->(st)
         WHERE p.circle IS NOT NULL
         RETURN {id: p.id, circle: p.circle, betweenness: p.betweenness, bridge: p.bridge,
                 bridges_circles: p.bridges_circles,
                 store_influence: coalesce(p.store_influence, 0.0), staff: p:Staff,
                 member: p:Member, agent: p:Agent, display_name: p.display_name,
                 circles_at: p.circles_at}
       } AS people
