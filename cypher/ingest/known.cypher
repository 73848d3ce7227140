// Which of these references the graph knows now: held rows look once more after they are held,
// in case what they wait for was written by a concurrent writer meanwhile (whose release did
// not see them yet). References are as held rows name them: 'share:<id>', 'person:<id>',
// 'content:<id>', 'staff:<id>', 'store:<id>'.
// mode: read
// params: $refs ([{ref, kind, id}])
// columns: ref (a reference the graph knows)
UNWIND $refs AS r
WITH r WHERE CASE r.kind
  WHEN 'share' THEN EXISTS { MATCH (:Share {id: r.id}) }
  WHEN 'person' THEN EXISTS { MATCH (:Person {id: r.id}) }
  WHEN 'content' THEN EXISTS { MATCH (:Content {id: r.id}) }
  WHEN 'staff' THEN EXISTS { MATCH (:Staff {id: r.id}) }
  WHEN 'store' THEN EXISTS { MATCH (:Store {id: r.id}) }
  ELSE false
END
RETURN r.ref AS ref
