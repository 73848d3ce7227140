// Stored fraud flags (graph.fraud) of a store ($store_id, person null) or naming a person
// ($person_id, store null), each with its people; whether the store (or person) exists. Each
// case starts from an index (Flag store_id) or the person's NAMES, so a lookup costs the same
// however many flags the brand has (reading every flag cost a profile 1 db hit per flag and name).
// mode: read
// params: $store_id, $person_id
// columns: found, flags ([{id, kind, store_id, reason, evidence, detected_at, people: [{id,
//   part}]}])
OPTIONAL MATCH (st:Store {id: $store_id})
OPTIONAL MATCH (person:Person {id: $person_id})
RETURN (st IS NOT NULL OR $store_id IS NULL) AND (person IS NOT NULL OR $person_id IS NULL)
         AS found,
       COLLECT {
         CALL (person) {
           MATCH (flag:Flag {store_id: $store_id})
           RETURN flag
           UNION
           MATCH (person)<-[:NAMES]-(flag:Flag)
           RETURN flag
         }
         RETURN {id: flag.id, kind: flag.kind, store_id: flag.store_id, reason: flag.reason,
                 evidence: flag.evidence, detected_at: flag.detected_at,
                 people: COLLECT { MATCH (flag)-[n:NAMES]->(q:Person)
                                   RETURN {id: q.id, part: n.part} ORDER BY n.part, q.id }}
         ORDER BY flag.kind, flag.id
       } AS flags
