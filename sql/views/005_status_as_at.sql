-- recommendation_status as it stood on a date: only evidence published by then counts.
-- Usage: SELECT * FROM recommendation_status_as_at(DATE '2019-06-30') WHERE review_id = 'kark-2019';
-- With NULL it is the current status over all evidence (undated evidence included, ranked last);
-- the recommendation_status view is exactly that.
CREATE OR REPLACE MACRO recommendation_status_as_at(as_at) AS TABLE
WITH known AS (
    SELECT * FROM status_evidence WHERE as_at IS NULL OR published_on <= as_at
),
ranked AS (
    SELECT
        k.*,
        row_number() OVER (
            PARTITION BY k.review_id, k.number, k.axis
            ORDER BY k.published_on DESC NULLS LAST, k.confidence DESC, (k.method = 'analyst') DESC, k.source_url, k.quote
        ) AS rank_in_axis
    FROM known AS k
),
latest AS (
    SELECT * FROM ranked WHERE rank_in_axis = 1
),
evidence_summary AS (
    SELECT review_id, number, count(*) AS evidence_count, max(published_on) AS last_evidence_on,
           arg_max(source_url, published_on) AS last_evidence_url
    FROM known
    GROUP BY review_id, number
)
SELECT
    r.review_id,
    r.number,
    r.text,
    coalesce(resp.status, 'no_response') AS response_status,
    coalesce(impl.status, 'unknown') AS implementation_status,
    coalesce(s.evidence_count, 0) AS evidence_count,
    s.last_evidence_on,
    s.last_evidence_url
FROM recommendations AS r
LEFT JOIN latest AS resp
    ON resp.review_id = r.review_id AND resp.number = r.number AND resp.axis = 'response'
LEFT JOIN latest AS impl
    ON impl.review_id = r.review_id AND impl.number = r.number AND impl.axis = 'implementation'
LEFT JOIN evidence_summary AS s
    ON s.review_id = r.review_id AND s.number = r.number
ORDER BY r.review_id, r.number;
