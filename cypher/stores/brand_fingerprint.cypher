// A cheap fingerprint of the whole brand for the HQ overview cache (graph.stores.overview):
// node and relationship counts that Neo4j answers from its count store without a scan. Any
// load that adds people, members, agents, orders, referrals or home stores changes it; what
// keeps every count (a corrected referrer, say) is caught by the cache's maximum age.
// mode: read
// params: none
// columns: stores, people, members, agents, orders, referrals, homes
CALL () { MATCH (s:Store) RETURN count(s) AS stores }
CALL () { MATCH (p:Person) RETURN count(p) AS people }
CALL () { MATCH (m:Member) RETURN count(m) AS members }
CALL () { MATCH (a:Agent) RETURN count(a) AS agents }
CALL () { MATCH (o:Order) RETURN count(o) AS orders }
CALL () { MATCH ()-[r:REFERRED]->() RETURN count(r) AS referrals }
CALL () { MATCH ()-[h:HOME]->() RETURN count(h) AS homes }
RETURN stores, people, members, agents, orders, referrals, homes
