// A few lines about each of several people, for tables and lists of people (key nodes,
// recommended contacts): their 3 strongest interest tags (DESIGN.md §5 "Interest tags",
// decayed to $now as in cypher/recommend/candidates.cypher), the last note any staff member
// recorded about them, and their 3 most recent manual tags. One row per known id.
// mode: read
// params: $ids ([person id]), $now (datetime)
// columns: id, interests ([{topic, score}]), last_note ({at, kind, text, tag, staff_id,
//   staff_name} or null), manual_tags ([tag])
UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN p.id AS id,
       COLLECT {
         MATCH (p)-[r:INTERESTED_IN]->(t:Topic)
         WITH t, r.score * CASE WHEN r.as_of < $now
                                THEN 0.5 ^ (duration.inSeconds(r.as_of, $now).seconds / 2592000.0)
                                ELSE 1.0 END AS score
         RETURN {topic: t.name, score: score} ORDER BY score DESC, t.name LIMIT 3
       } AS interests,
       head(COLLECT {
         MATCH (s:Staff)-[n:NOTED]->(p)
         RETURN {at: n.at, kind: n.kind, text: n.text, tag: n.tag, staff_id: s.id,
                 staff_name: s.display_name}
         ORDER BY n.at DESC, n.event_id DESC LIMIT 1
       }) AS last_note,
       COLLECT {
         MATCH (:Staff)-[n:NOTED {kind: 'tag'}]->(p)
         WITH n.tag AS tag, max(n.at) AS last_at
         RETURN tag ORDER BY last_at DESC, tag LIMIT 3
       } AS manual_tags
