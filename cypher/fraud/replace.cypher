// Replaces every stored fraud flag (graph.fraud) with $flags: each a :Flag node with its kind,
// store, reason, evidence (JSON text) and time, naming its people with their part in it.
// mode: write
// params: $flags ([{id, kind, store_id, reason, evidence, people: [{id, part}]}]), $at (datetime)
// columns: flags (written)
OPTIONAL MATCH (old:Flag)
DETACH DELETE old
WITH count(*) AS gone
UNWIND $flags AS f
CREATE (flag:Flag {id: f.id, kind: f.kind, store_id: f.store_id, reason: f.reason,
                   evidence: f.evidence, detected_at: $at})
WITH flag, f
UNWIND f.people AS who
MATCH (p:Person {id: who.id})
CREATE (flag)-[:NAMES {part: who.part}]->(p)
RETURN count(DISTINCT flag) AS flags
