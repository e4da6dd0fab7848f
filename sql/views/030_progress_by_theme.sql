-- One row per review and theme: recommendations under the theme and counts by latest implementation status.
-- theme is the heading a recommendation sits under in the review ('overarching' before any heading).
-- first_number is the lowest recommendation number under the theme, so themes list in the review's order.
-- A line with an axis in braces is written once per status of that axis, in the order of tracker/vocabulary.py
-- (tracker/warehouse/db.py, when the views are created): a new status needs no edit here.
CREATE OR REPLACE VIEW progress_by_theme AS
WITH themed AS (
    SELECT
        r.review_id,
        coalesce(r.theme, 'overarching') AS theme,
        r.number,
        s.implementation_status
    FROM recommendations AS r
    JOIN recommendation_status AS s
        ON s.review_id = r.review_id AND s.number = r.number
),
counts AS (
    SELECT
        review_id,
        theme,
        count(*) FILTER (WHERE implementation_status = '{implementation}') AS {implementation},
        min(number) AS first_number,
        count(*) AS recommendations
    FROM themed
    GROUP BY review_id, theme
)
SELECT
    review_id,
    theme,
    first_number,
    recommendations,
    {implementation},
    round(100.0 * implemented / nullif(recommendations, 0), 1) AS pct_implemented
FROM counts
ORDER BY review_id, first_number;
COMMENT ON VIEW progress_by_theme IS 'Per review and theme (the heading a recommendation sits under; overarching before any heading): recommendations, counts by latest implementation status and the share implemented (%). first_number orders themes as in the review.';
