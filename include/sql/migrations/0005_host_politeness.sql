-- 0005: politeness shared by every fetching process (mapped tasks on several workers): per host, the earliest
-- moment the next request may start, and the requests in flight as leases that expire if a worker dies.
CREATE TABLE newsflow.host_schedule (
    host        text PRIMARY KEY,
    next_start  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE newsflow.host_leases (
    token       uuid PRIMARY KEY,
    host        text NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX host_leases_host_idx ON newsflow.host_leases (host, expires_at);
