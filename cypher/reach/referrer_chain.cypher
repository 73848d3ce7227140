// A person's referrer chain (DESIGN.md §5 "Referrer"): their referrer, the referrer's
// referrer, and so on up to the root of their referral tree, nearest first, each with when
// they referred the next person down. The referral graph is a forest, so there is one chain.
// mode: read
// params: $person_id
// columns: found, chain ([{id, display_name, staff, member, agent, referred_at}], nearest
//   first)
OPTIONAL MATCH (p:Person {id: $person_id})
OPTIONAL MATCH path = (root:Person)-[:REFERRED*1..]->(p)
  WHERE NOT EXISTS { (:Person)-[:REFERRED]->(root) }
WITH p, path
RETURN p IS NOT NULL AS found,
       CASE WHEN path IS NULL THEN []
            ELSE [i IN range(length(path) - 1, 0, -1) |
                  {id: nodes(path)[i].id, display_name: nodes(path)[i].display_name,
                   staff: nodes(path)[i]:Staff, member: nodes(path)[i]:Member,
                   agent: nodes(path)[i]:Agent, referred_at: relationships(path)[i].at}]
       END AS chain
