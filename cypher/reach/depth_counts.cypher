// Reach (DESIGN.md §5 "Reach"): descendants of a person in the referral forest counted per
// generation, up to 6 generations (reach(p, k) is the sum of the first k). The forest gives
// each descendant exactly one path, so paths per depth are distinct people per depth.
// mode: read
// params: $person_id
// columns: found (false: unknown person), depths ([{depth, people}])
OPTIONAL MATCH (p:Person {id: $person_id})
RETURN p IS NOT NULL AS found,
       COLLECT {
         MATCH path = (p)-[:REFERRED*1..6]->(:Person)
         WITH length(path) AS depth, count(*) AS people
         RETURN {depth: depth, people: people} ORDER BY depth
       } AS depths
