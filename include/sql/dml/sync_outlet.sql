-- Upsert an outlet by name; returns its id.
INSERT INTO newsflow.outlets (name) VALUES (%(name)s)
ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
RETURNING outlet_id;
