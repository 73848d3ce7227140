// Imports members known before tracking started: :Member, their store, and member_since.
// Parameters: $rows: [{person_id, store_id, member_since}].
// Returns: nothing.
UNWIND $rows AS r
MERGE (p:Person {id: r.person_id})
SET p:Member:Stale, p.member_store_id = r.store_id, p.imported_member_since = r.member_since,
    p.member_since = CASE WHEN p.member_since IS NULL OR r.member_since < p.member_since
                          THEN r.member_since ELSE p.member_since END
