-- Try to take a request slot on a host; the caller holds the schedule row's lock (host_slot_lock.sql), taken in an
-- earlier statement so that this one's snapshot sees every lease committed before the lock was granted.
-- When a lease is free: reserve the next start time and add a lease. Returns the start time, or nothing.
WITH sched AS (
    SELECT host, next_start FROM newsflow.host_schedule WHERE host = %(host)s
), live AS (
    SELECT count(*) AS n FROM newsflow.host_leases WHERE host = %(host)s AND expires_at > clock_timestamp()
), slot AS (
    SELECT greatest(clock_timestamp(), s.next_start) AS start_at
    FROM sched s, live l
    WHERE l.n < %(cap)s
), moved AS (
    UPDATE newsflow.host_schedule h SET next_start = slot.start_at + make_interval(secs => %(delay)s)
    FROM slot WHERE h.host = %(host)s
    RETURNING slot.start_at
), leased AS (
    INSERT INTO newsflow.host_leases (token, host, expires_at)
    SELECT %(token)s::uuid, %(host)s, moved.start_at + make_interval(secs => %(lease_s)s) FROM moved
    RETURNING expires_at
)
SELECT start_at, extract(epoch FROM start_at - clock_timestamp()) AS wait_s FROM moved, leased;
