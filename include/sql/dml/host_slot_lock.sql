-- Serialize slot taking per host (READ COMMITTED: the next statement then sees all committed leases).
SELECT 1 FROM newsflow.host_schedule WHERE host = %(host)s FOR UPDATE;
