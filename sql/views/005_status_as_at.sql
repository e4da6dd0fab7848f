-- recommendation_status as it stood on a date: only evidence published by then counts.
-- Usage: SELECT * FROM recommendation_status_as_at(DATE '2019-06-30') WHERE review_id = 'kark-2019';
-- With NULL it is the current status over all evidence (undated evidence included, ranked last);
-- the recommendation_status view is exactly that.
-- The headline status of each axis comes from the two positions of status_positions_as_at:
--   response       - the official position; the independent assessment only where no official
--                    statement exists (a think tank's "accepted" never outweighs the government's "rejected");
--   implementation - whichever position was published later (ties: official), since what has
--                    happened on the ground is reported by commentators and regulators as much as by owners.
CREATE OR REPLACE MACRO recommendation_status_as_at(as_at) AS TABLE
WITH positions AS (
    SELECT * FROM status_positions_as_at(as_at)
),
headline AS (
    SELECT
        p.*,
        row_number() OVER (
            PARTITION BY p.review_id, p.number, p.axis
            ORDER BY CASE WHEN p.axis = 'response' AND p.position <> 'official' THEN 1 ELSE 0 END,
                     p.published_on DESC NULLS LAST, (p.position = 'official') DESC
        ) AS rank_in_axis
    FROM positions AS p
),
latest AS (
    SELECT * FROM headline WHERE rank_in_axis = 1
),
disputed AS (
    SELECT DISTINCT review_id, number, axis FROM status_disagreements_as_at(as_at)
),
evidence_summary AS (
    SELECT review_id, number, count(*) AS evidence_count, max(published_on) AS last_evidence_on,
           arg_max(source_url, published_on) AS last_evidence_url
    FROM status_evidence
    WHERE as_at IS NULL OR published_on <= as_at
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
    s.last_evidence_url,
    resp.position AS response_basis,
    impl.position AS implementation_basis,
    o_resp.status AS official_response_status,
    o_resp.quote AS official_response_quote,
    o_resp.published_on AS official_response_published_on,
    o_resp.source_url AS official_response_source_url,
    o_resp.cited_as AS official_response_cited_as,
    i_resp.status AS independent_response_status,
    i_resp.quote AS independent_response_quote,
    i_resp.published_on AS independent_response_published_on,
    i_resp.source_url AS independent_response_source_url,
    i_resp.cited_as AS independent_response_cited_as,
    o_impl.status AS official_implementation_status,
    o_impl.quote AS official_implementation_quote,
    o_impl.published_on AS official_implementation_published_on,
    o_impl.source_url AS official_implementation_source_url,
    o_impl.cited_as AS official_implementation_cited_as,
    i_impl.status AS independent_implementation_status,
    i_impl.quote AS independent_implementation_quote,
    i_impl.published_on AS independent_implementation_published_on,
    i_impl.source_url AS independent_implementation_source_url,
    i_impl.cited_as AS independent_implementation_cited_as,
    d_resp.axis IS NOT NULL AS response_disputed,
    d_impl.axis IS NOT NULL AS implementation_disputed
FROM recommendations AS r
LEFT JOIN latest AS resp
    ON resp.review_id = r.review_id AND resp.number = r.number AND resp.axis = 'response'
LEFT JOIN latest AS impl
    ON impl.review_id = r.review_id AND impl.number = r.number AND impl.axis = 'implementation'
LEFT JOIN positions AS o_resp
    ON o_resp.review_id = r.review_id AND o_resp.number = r.number AND o_resp.axis = 'response' AND o_resp.position = 'official'
LEFT JOIN positions AS i_resp
    ON i_resp.review_id = r.review_id AND i_resp.number = r.number AND i_resp.axis = 'response' AND i_resp.position = 'independent'
LEFT JOIN positions AS o_impl
    ON o_impl.review_id = r.review_id AND o_impl.number = r.number AND o_impl.axis = 'implementation' AND o_impl.position = 'official'
LEFT JOIN positions AS i_impl
    ON i_impl.review_id = r.review_id AND i_impl.number = r.number AND i_impl.axis = 'implementation' AND i_impl.position = 'independent'
LEFT JOIN disputed AS d_resp
    ON d_resp.review_id = r.review_id AND d_resp.number = r.number AND d_resp.axis = 'response'
LEFT JOIN disputed AS d_impl
    ON d_impl.review_id = r.review_id AND d_impl.number = r.number AND d_impl.axis = 'implementation'
LEFT JOIN evidence_summary AS s
    ON s.review_id = r.review_id AND s.number = r.number
ORDER BY r.review_id, r.number;
