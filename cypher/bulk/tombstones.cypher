// Tombstones of people erased on request, which a bulk import carries into the database it
// builds (so their events stay refused).
// mode: read
// params: none
// columns: id_sha256, erased_at (datetime)
MATCH (e:ErasedPerson)
RETURN e.id_sha256 AS id_sha256, e.erased_at AS erased_at
