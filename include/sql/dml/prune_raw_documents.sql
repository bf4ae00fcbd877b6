-- Retention: raw bytes older than the setting go (articles keep their text; they just cannot be replayed).
DELETE FROM newsflow.raw_documents WHERE fetched_at < now() - make_interval(days => %(days)s);
