// Everyone below these people in the referral forest (their homes may follow theirs).
// mode: read
// params: $ids ([person id])
// columns: id
UNWIND $ids AS id
MATCH (:Person {id: id})-[:REFERRED*1..]->(d:Person)
RETURN DISTINCT d.id AS id
