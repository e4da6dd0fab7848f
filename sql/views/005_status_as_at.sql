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
WITH by_recommendation AS (
    -- one row per recommendation: both positions on both axes side by side (one aggregate, no self-joins)
    SELECT
        review_id,
        number,
        any_value(status) FILTER (WHERE axis = 'response' AND position = 'official') AS official_response_status,
        any_value(quote) FILTER (WHERE axis = 'response' AND position = 'official') AS official_response_quote,
        any_value(published_on) FILTER (WHERE axis = 'response' AND position = 'official') AS official_response_published_on,
        any_value(source_url) FILTER (WHERE axis = 'response' AND position = 'official') AS official_response_source_url,
        any_value(cited_as) FILTER (WHERE axis = 'response' AND position = 'official') AS official_response_cited_as,
        any_value(status) FILTER (WHERE axis = 'response' AND position = 'independent') AS independent_response_status,
        any_value(quote) FILTER (WHERE axis = 'response' AND position = 'independent') AS independent_response_quote,
        any_value(published_on) FILTER (WHERE axis = 'response' AND position = 'independent') AS independent_response_published_on,
        any_value(source_url) FILTER (WHERE axis = 'response' AND position = 'independent') AS independent_response_source_url,
        any_value(cited_as) FILTER (WHERE axis = 'response' AND position = 'independent') AS independent_response_cited_as,
        any_value(status) FILTER (WHERE axis = 'implementation' AND position = 'official') AS official_implementation_status,
        any_value(quote) FILTER (WHERE axis = 'implementation' AND position = 'official') AS official_implementation_quote,
        any_value(published_on) FILTER (WHERE axis = 'implementation' AND position = 'official') AS official_implementation_published_on,
        any_value(source_url) FILTER (WHERE axis = 'implementation' AND position = 'official') AS official_implementation_source_url,
        any_value(cited_as) FILTER (WHERE axis = 'implementation' AND position = 'official') AS official_implementation_cited_as,
        any_value(status) FILTER (WHERE axis = 'implementation' AND position = 'independent') AS independent_implementation_status,
        any_value(quote) FILTER (WHERE axis = 'implementation' AND position = 'independent') AS independent_implementation_quote,
        any_value(published_on) FILTER (WHERE axis = 'implementation' AND position = 'independent') AS independent_implementation_published_on,
        any_value(source_url) FILTER (WHERE axis = 'implementation' AND position = 'independent') AS independent_implementation_source_url,
        any_value(cited_as) FILTER (WHERE axis = 'implementation' AND position = 'independent') AS independent_implementation_cited_as
    FROM status_positions_as_at(as_at)
    GROUP BY review_id, number
),
headline AS (
    SELECT
        b.*,
        CASE WHEN b.official_response_status IS NOT NULL THEN 'official'
             WHEN b.independent_response_status IS NOT NULL THEN 'independent' END AS response_basis,
        -- the later position (undated ranks last), ties official
        CASE WHEN b.independent_implementation_status IS NOT NULL
                  AND (b.official_implementation_status IS NULL
                       OR (b.independent_implementation_published_on IS NOT NULL
                           AND (b.official_implementation_published_on IS NULL
                                OR b.independent_implementation_published_on > b.official_implementation_published_on)))
                 THEN 'independent'
             WHEN b.official_implementation_status IS NOT NULL THEN 'official' END AS implementation_basis
    FROM by_recommendation AS b
),
disputed AS (
    SELECT review_id, number, bool_or(axis = 'response') AS response_disputed,
           bool_or(axis = 'implementation') AS implementation_disputed
    FROM status_disagreements_as_at(as_at)
    GROUP BY review_id, number
),
defaults AS (
    -- with no statement on an axis: status_vocabulary's default (no_response, unknown)
    SELECT any_value(status) FILTER (WHERE axis = 'response') AS response_default,
           any_value(status) FILTER (WHERE axis = 'implementation') AS implementation_default
    FROM status_vocabulary
    WHERE is_default
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
    coalesce(CASE h.response_basis WHEN 'official' THEN h.official_response_status
                                   ELSE h.independent_response_status END, f.response_default) AS response_status,
    coalesce(CASE h.implementation_basis WHEN 'official' THEN h.official_implementation_status
                                         ELSE h.independent_implementation_status END, f.implementation_default) AS implementation_status,
    coalesce(s.evidence_count, 0) AS evidence_count,
    s.last_evidence_on,
    s.last_evidence_url,
    h.response_basis,
    h.implementation_basis,
    h.official_response_status, h.official_response_quote, h.official_response_published_on, h.official_response_source_url, h.official_response_cited_as, h.independent_response_status, h.independent_response_quote, h.independent_response_published_on, h.independent_response_source_url, h.independent_response_cited_as, h.official_implementation_status, h.official_implementation_quote, h.official_implementation_published_on, h.official_implementation_source_url, h.official_implementation_cited_as, h.independent_implementation_status, h.independent_implementation_quote, h.independent_implementation_published_on, h.independent_implementation_source_url, h.independent_implementation_cited_as,
    coalesce(d.response_disputed, false) AS response_disputed,
    coalesce(d.implementation_disputed, false) AS implementation_disputed
FROM recommendations AS r
CROSS JOIN defaults AS f
LEFT JOIN headline AS h
    ON h.review_id = r.review_id AND h.number = r.number
LEFT JOIN disputed AS d
    ON d.review_id = r.review_id AND d.number = r.number
LEFT JOIN evidence_summary AS s
    ON s.review_id = r.review_id AND s.number = r.number
ORDER BY r.review_id, r.number;
