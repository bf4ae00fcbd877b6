-- Delete this process's released leases (batched: they ride along with its next slot request, or a timed flush),
-- and now and then the expired leases of crashed workers. SKIP LOCKED: the cleanup never waits on a lease row
-- another transaction is deleting, so it cannot deadlock with a caller that holds a host's schedule lock.
DELETE FROM newsflow.host_leases WHERE token = ANY (%(released)s::uuid[]);
DELETE FROM newsflow.host_leases WHERE token IN (
    SELECT token FROM newsflow.host_leases WHERE %(cleanup)s AND expires_at < now() FOR UPDATE SKIP LOCKED
);
