// Whether the store exists, and who the given people are (role flags and staff names), for
// the seeds answer (graph.seeds).
// mode: read
// params: $store_id, $ids ([person id])
// columns: found, people ([{id, staff, role, display_name, member, agent}])
OPTIONAL MATCH (st:Store {id: $store_id})
RETURN st IS NOT NULL AS found,
       [p IN COLLECT { MATCH (p:Person) WHERE p.id IN $ids RETURN p }
        | {id: p.id, staff: p:Staff, role: p.role, display_name: p.display_name,
           member: p:Member, agent: p:Agent}] AS people
