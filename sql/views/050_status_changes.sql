-- The history of each recommendation's latest status, axis by axis: one row each time it changed.
-- Statements are taken in publication order; of several published on the same day the one
-- recommendation_status would pick wins (higher confidence, then analyst over rule, then source_url,
-- quote). Undated statements rank before every dated one (changed_on NULL), as in recommendation_status,
-- so the last status_after of each recommendation and axis is its current status. status_before is
-- NULL for the first statement on an axis. A statement that repeats the current status is not a change.
CREATE OR REPLACE VIEW status_changes AS
WITH ranked AS (
    SELECT
        e.*,
        row_number() OVER (
            PARTITION BY e.review_id, e.number, e.axis, e.published_on
            ORDER BY e.confidence DESC, (e.method = 'analyst') DESC, e.source_url, e.quote
        ) AS rank_on_day
    FROM status_evidence AS e
),
daily AS (
    SELECT review_id, number, axis, status, published_on, source_url, quote
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
    quote
FROM timeline
WHERE status_before IS DISTINCT FROM status
ORDER BY review_id, number, axis, changed_on NULLS FIRST;
COMMENT ON VIEW status_changes IS 'One row per change of the latest status of a recommendation on one axis, in publication order: status_before (NULL for the first statement), status_after, the date and the source and verbatim quote that changed it. The last row per recommendation and axis is its current status.';
