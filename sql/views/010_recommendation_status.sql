-- The latest statement on each axis for every recommendation; with no evidence, no_response / unknown.
CREATE OR REPLACE VIEW recommendation_status AS
WITH ranked AS (
    SELECT
        e.*,
        row_number() OVER (
            PARTITION BY e.review_id, e.number, e.axis
            ORDER BY e.published_on DESC NULLS LAST, e.confidence DESC, (e.method = 'analyst') DESC,
                     e.source_url, e.quote
        ) AS rank_in_axis
    FROM status_evidence AS e
),
latest AS (
    SELECT * FROM ranked WHERE rank_in_axis = 1
),
evidence_summary AS (
    SELECT
        review_id,
        number,
        count(*) AS evidence_count,
        max(published_on) AS last_evidence_on,
        arg_max(source_url, published_on) AS last_evidence_url
    FROM status_evidence
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
COMMENT ON VIEW recommendation_status IS 'Latest response and implementation status of every recommendation (latest by publication date; ties: confidence, then analyst over rule).';
