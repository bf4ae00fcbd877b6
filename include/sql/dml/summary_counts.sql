-- The headline numbers of the warehouse.
SELECT
    (SELECT count(*) FROM newsflow.feeds WHERE active) AS feeds,
    (SELECT count(*) FROM newsflow.articles WHERE extraction_status = 'ok') AS articles,
    (SELECT count(*) FROM newsflow.stories WHERE merged_into IS NULL) AS stories,
    (SELECT count(*) FROM newsflow.duplicates) AS duplicates;
