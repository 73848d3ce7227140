// Imports members known before tracking started: :Member, their store, and member_since.
// Parameters: $rows: [{person_id, store_id, member_since}].
// Returns: nothing.
UNWIND $rows AS r
WITH r, datetime(r.member_since) AS since
MERGE (p:Person {id: r.person_id})
SET p:Member:Stale, p.member_store_id = r.store_id, p.imported_member_since = since,
    p.member_since = CASE WHEN p.member_since IS NULL OR since < p.member_since
                          THEN since ELSE p.member_since END
