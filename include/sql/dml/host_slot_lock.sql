-- Serialize slot taking per host: create the host's schedule row on first use, then lock it. Under READ COMMITTED
-- each statement takes a new snapshot, so host_slot_acquire.sql, run after the lock, sees all committed leases.
INSERT INTO newsflow.host_schedule (host) VALUES (%(host)s) ON CONFLICT DO NOTHING;
SELECT 1 FROM newsflow.host_schedule WHERE host = %(host)s FOR UPDATE;
