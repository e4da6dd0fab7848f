-- Each recommendation's headline status per axis, now and in the previous version (attached as prev), for
-- changes.sql. Read from recommendation_status itself, so a change is exactly a change of what the tables show
-- (its ranking lives in sql/views/003 and 005 only). The current state also gives the statement the status
-- rests on; the previous version only its statuses (every published version has the view, whatever its
-- columns). Temp tables, not CTEs of changes.sql: evaluated inside that one query, the status views' many
-- operators would each claim their share of the pipeline's small memory cap.
CREATE OR REPLACE TEMP TABLE cur_headline AS
SELECT review_id, number, 'response' AS axis, response_status AS status,
       CASE response_basis WHEN 'official' THEN official_response_published_on
            ELSE independent_response_published_on END AS published_on,
       CASE response_basis WHEN 'official' THEN official_response_source_url
            ELSE independent_response_source_url END AS source_url,
       CASE response_basis WHEN 'official' THEN official_response_quote
            ELSE independent_response_quote END AS quote
FROM recommendation_status
WHERE response_basis IS NOT NULL
UNION ALL
SELECT review_id, number, 'implementation' AS axis, implementation_status AS status,
       CASE implementation_basis WHEN 'official' THEN official_implementation_published_on
            ELSE independent_implementation_published_on END AS published_on,
       CASE implementation_basis WHEN 'official' THEN official_implementation_source_url
            ELSE independent_implementation_source_url END AS source_url,
       CASE implementation_basis WHEN 'official' THEN official_implementation_quote
            ELSE independent_implementation_quote END AS quote
FROM recommendation_status
WHERE implementation_basis IS NOT NULL;

CREATE OR REPLACE TEMP TABLE prev_headline AS
SELECT review_id, number, 'response' AS axis, response_status AS status
FROM prev.main.recommendation_status
UNION ALL
SELECT review_id, number, 'implementation' AS axis, implementation_status AS status
FROM prev.main.recommendation_status;
