// Schema: uniqueness constraints for every MERGE key, and the indexes the queries need.
// Idempotent (IF [NOT] EXISTS); run before any load. The one multi-statement file: statements
// end with `;` at the end of a line.
// mode: schema
// params: none
// columns: none
CREATE CONSTRAINT store_id IF NOT EXISTS FOR (n:Store) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT content_id IF NOT EXISTS FOR (n:Content) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT topic_name IF NOT EXISTS FOR (n:Topic) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT share_id IF NOT EXISTS FOR (n:Share) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT order_id IF NOT EXISTS FOR (n:Order) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT visited_event_id IF NOT EXISTS FOR ()-[r:VISITED]-() REQUIRE r.event_id IS UNIQUE;
CREATE CONSTRAINT friend_of_event_id IF NOT EXISTS FOR ()-[r:FRIEND_OF]-() REQUIRE r.event_id IS UNIQUE;
CREATE CONSTRAINT noted_event_id IF NOT EXISTS FOR ()-[r:NOTED]-() REQUIRE r.event_id IS UNIQUE;
CREATE INDEX person_first_share IF NOT EXISTS FOR (n:Person) ON (n.first_share_id);
CREATE INDEX person_first_seen IF NOT EXISTS FOR (n:Person) ON (n.first_seen);
CREATE INDEX share_event_id IF NOT EXISTS FOR (n:Share) ON (n.event_id);
CREATE INDEX share_at IF NOT EXISTS FOR (n:Share) ON (n.at);
CREATE INDEX order_at IF NOT EXISTS FOR (n:Order) ON (n.at);
CREATE CONSTRAINT erased_person IF NOT EXISTS FOR (n:ErasedPerson) REQUIRE n.id_sha256 IS UNIQUE;
CREATE CONSTRAINT migration_name IF NOT EXISTS FOR (n:Migration) REQUIRE n.name IS UNIQUE;
DROP CONSTRAINT held_event_id IF EXISTS;
CREATE CONSTRAINT held_id IF NOT EXISTS FOR (n:HeldEvent) REQUIRE n.id IS UNIQUE;
CREATE INDEX held_waits_for IF NOT EXISTS FOR (n:HeldEvent) ON (n.waits_for);
CREATE INDEX held_received_at IF NOT EXISTS FOR (n:HeldEvent) ON (n.received_at);
CREATE INDEX person_influence IF NOT EXISTS FOR (n:Person) ON (n.influence);
CREATE INDEX flag_store IF NOT EXISTS FOR (n:Flag) ON (n.store_id);
CREATE INDEX recommended_staff_day IF NOT EXISTS FOR ()-[r:RECOMMENDED]-() ON (r.staff_id, r.day);
CREATE CONSTRAINT load_run_id IF NOT EXISTS FOR (n:LoadRun) REQUIRE n.id IS UNIQUE;
CREATE INDEX load_run_started IF NOT EXISTS FOR (n:LoadRun) ON (n.started_at);
CREATE CONSTRAINT loaded_file_sha256 IF NOT EXISTS FOR (n:LoadedFile) REQUIRE n.sha256 IS UNIQUE;
CREATE CONSTRAINT influence_refresh_scope IF NOT EXISTS FOR (n:InfluenceRefresh) REQUIRE n.scope IS UNIQUE;
CREATE CONSTRAINT value_snapshot_figure IF NOT EXISTS FOR (n:ValueSnapshot) REQUIRE n.figure IS UNIQUE;
CREATE CONSTRAINT store_overview_scope IF NOT EXISTS FOR (n:StoreOverview) REQUIRE n.scope IS UNIQUE;
