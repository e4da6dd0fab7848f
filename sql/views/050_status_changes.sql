-- The history of each recommendation's headline status, axis by axis: one row each time it changed.
-- Statements are taken in publication order. A statement only counts while nothing outranking it has
-- been published on or before its date, exactly as recommendation_status ranks (speaker_vocabulary's
-- stances): on the response axis official outranks reported outranks independent; on the implementation
-- axis only official outranks reported (the later position wins there, so independent statements always
-- count). Of several counted on the same day the weightier
-- stance wins, then ranked_evidence's recency (higher confidence, analyst over rule, source_url, quote). Undated statements rank
-- before every dated one (changed_on NULL), so the last status_after of each recommendation and axis is
-- its current status. status_before is NULL for the first statement on an axis. A statement that repeats
-- the current status is not a change.
CREATE OR REPLACE VIEW status_changes AS
WITH known AS (
    SELECT * FROM ranked_evidence
),
counted AS (
    SELECT k.*
    FROM known AS k
    WHERE NOT EXISTS (
        SELECT 1
        FROM known AS h
        WHERE h.review_id = k.review_id AND h.number = k.number AND h.axis = k.axis AND h.tier < k.tier
          AND (k.axis = 'response' OR k.tier = 1)
          AND (h.published_on IS NULL OR h.published_on <= k.published_on)
    )
),
ranked AS (
    SELECT
        c.*,
        row_number() OVER (
            PARTITION BY c.review_id, c.number, c.axis, c.published_on
            ORDER BY c.tier, c.recency
        ) AS rank_on_day
    FROM counted AS c
),
daily AS (
    SELECT review_id, number, axis, status, published_on, source_url, quote, cited_as
    FROM ranked
    WHERE rank_on_day = 1
),
timeline AS (
    SELECT
        d.*,
        lag(d.status) OVER (
            PARTITION BY d.review_id, d.number, d.axis
            ORDER BY d.published_on ASC NULLS FIRST
        ) AS status_before
    FROM daily AS d
)
SELECT
    review_id,
    number,
    axis,
    status_before,
    status AS status_after,
    published_on AS changed_on,
    source_url,
    quote,
    cited_as
FROM timeline
WHERE status_before IS DISTINCT FROM status
ORDER BY review_id, number, axis, changed_on NULLS FIRST;
COMMENT ON VIEW status_changes IS 'One row per change of the headline status of a recommendation on one axis, in publication order: status_before (NULL for the first statement), status_after, the date, source, verbatim quote and citation that changed it. On the response axis only statements that were the weightiest stance so far count (as recommendation_status prefers the official position). The last row per recommendation and axis is its current status.';
