-- UI (story view): what the story's articles cite (view citations), in article time order then paragraph.
SELECT article_id, citing_outlet, cited_outlet, cited_kind, kind, sentence, position, published_at
FROM newsflow.citations
WHERE story_id = %(story_id)s
ORDER BY published_at, article_id, position, cited_outlet, kind
LIMIT %(limit)s;
