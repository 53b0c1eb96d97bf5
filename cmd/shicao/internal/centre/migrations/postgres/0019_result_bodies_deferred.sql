-- PostgreSQL only: ingest stores a result's body before it takes the
-- log's lock, under a key of its own, and gives the row its log index
-- under the lock (resultBody in results.go), so that compressing a body
-- of hundreds of KB does not hold up the other uploads' appends. The
-- body's key to results is therefore checked at the commit, when the
-- row has its index (SQLite writes the body under its one write lock
-- and needs no change).
ALTER TABLE result_bodies ALTER CONSTRAINT result_bodies_log_index_fkey DEFERRABLE INITIALLY DEFERRED;
