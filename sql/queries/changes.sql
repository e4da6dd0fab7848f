-- What differs between the current tables (unqualified) and the previous published version, attached as prev
-- (with none, an empty database of the current schema: then everything is new). One row per change, in no
-- particular order: tracker/warehouse/changelog.py orders and numbers them. headlines.sql runs first.
WITH axes AS (
    SELECT axis, status AS default_status FROM status_vocabulary WHERE is_default
),
cur_recs AS (
    SELECT review_id, number, text, source_url FROM recommendations
),
prev_recs AS (
    SELECT review_id, number, text, source_url FROM prev.main.recommendations
),
cur_evidence AS (
    SELECT review_id, number, axis, status, quote, source_url, published_on FROM status_evidence
),
prev_evidence AS (
    SELECT review_id, number, axis, status, quote, source_url, published_on FROM prev.main.status_evidence
),
prev_pubs AS (
    SELECT url, content_sha256, review_id, published_on, title FROM prev.main.publications
),
statuses AS (
    SELECT
        r.review_id, r.number, a.axis,
        coalesce(p.status, a.default_status) AS before,
        coalesce(c.status, a.default_status) AS after,
        c.published_on, c.source_url, c.quote
    FROM cur_recs AS r
    CROSS JOIN axes AS a
    LEFT JOIN cur_headline AS c ON c.review_id = r.review_id AND c.number = r.number AND c.axis = a.axis
    LEFT JOIN prev_headline AS p ON p.review_id = r.review_id AND p.number = r.number AND p.axis = a.axis
),
status_change AS (
    SELECT 'status_change' AS change_type, review_id, number, axis, before, after, published_on, source_url,
           quote AS title_or_quote
    FROM statuses
    WHERE before <> after
),
new_evidence AS (
    SELECT 'new_evidence', review_id, number, axis, NULL, status, published_on, source_url, quote
    FROM (SELECT * FROM cur_evidence EXCEPT SELECT * FROM prev_evidence)
),
withdrawn_evidence AS (
    SELECT 'withdrawn_evidence', review_id, number, axis, status, NULL, published_on, source_url, quote
    FROM (SELECT * FROM prev_evidence EXCEPT SELECT * FROM cur_evidence)
),
new_recommendation AS (
    SELECT 'new_recommendation', c.review_id, c.number, NULL, NULL, NULL, pub.published_on, c.source_url, c.text
    FROM cur_recs AS c
    LEFT JOIN publications AS pub ON pub.url = c.source_url
    WHERE NOT EXISTS (SELECT 1 FROM prev_recs AS p WHERE p.review_id = c.review_id AND p.number = c.number)
),
removed_recommendation AS (
    SELECT 'removed_recommendation', p.review_id, p.number, NULL, NULL, NULL, NULL::DATE, p.source_url, p.text
    FROM prev_recs AS p
    WHERE NOT EXISTS (SELECT 1 FROM cur_recs AS c WHERE c.review_id = p.review_id AND c.number = p.number)
),
new_publication AS (
    SELECT 'new_publication', c.review_id, NULL, NULL, NULL, NULL, c.published_on, c.url, c.title
    FROM publications AS c
    WHERE NOT EXISTS (SELECT 1 FROM prev_pubs AS p WHERE p.url = c.url)
),
updated_publication AS (
    SELECT 'updated_publication', c.review_id, NULL, NULL, left(p.content_sha256, 12), left(c.content_sha256, 12),
           c.published_on, c.url, c.title
    FROM publications AS c
    JOIN prev_pubs AS p ON p.url = c.url
    WHERE p.content_sha256 IS DISTINCT FROM c.content_sha256
),
withdrawn_publication AS (
    SELECT 'withdrawn_publication', p.review_id, NULL, NULL, NULL, NULL, p.published_on, p.url, p.title
    FROM prev_pubs AS p
    WHERE NOT EXISTS (SELECT 1 FROM publications AS c WHERE c.url = p.url)
)
SELECT * FROM status_change
UNION ALL SELECT * FROM new_evidence
UNION ALL SELECT * FROM withdrawn_evidence
UNION ALL SELECT * FROM new_recommendation
UNION ALL SELECT * FROM removed_recommendation
UNION ALL SELECT * FROM new_publication
UNION ALL SELECT * FROM updated_publication
UNION ALL SELECT * FROM withdrawn_publication
