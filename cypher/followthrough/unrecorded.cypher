// Which of the people just recommended to a staff member have no recommendation recorded yet
// on that day (UTC), so that serving the same list again writes nothing (see
// record_recommendations).
// mode: read
// params: $staff_id, $person_ids ([person id]), $day (date, UTC)
// columns: staff_found, person_ids (known people without a record that day, in the order given)
OPTIONAL MATCH (s:Staff {id: $staff_id})
RETURN s IS NOT NULL AS staff_found,
       [id IN $person_ids WHERE s IS NOT NULL AND EXISTS { MATCH (:Person {id: id}) }
          AND NOT EXISTS { (s)-[:RECOMMENDED {day: $day}]->(:Person {id: id}) }] AS person_ids
