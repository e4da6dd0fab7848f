-- One row per review and theme: recommendations under the theme and counts by latest implementation status.
-- theme is the heading a recommendation sits under in the review ('overarching' before any heading).
-- first_number is the lowest recommendation number under the theme, so themes list in the review's order.
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
        min(number) AS first_number,
        count(*) AS recommendations,
        count(*) FILTER (WHERE implementation_status = 'implemented') AS implemented,
        count(*) FILTER (WHERE implementation_status = 'partially_implemented') AS partially_implemented,
        count(*) FILTER (WHERE implementation_status = 'in_progress') AS in_progress,
        count(*) FILTER (WHERE implementation_status = 'paused') AS paused,
        count(*) FILTER (WHERE implementation_status = 'not_started') AS not_started,
        count(*) FILTER (WHERE implementation_status = 'superseded') AS superseded,
        count(*) FILTER (WHERE implementation_status = 'unknown') AS unknown
    FROM themed
    GROUP BY review_id, theme
)
SELECT
    review_id,
    theme,
    first_number,
    recommendations,
    implemented,
    partially_implemented,
    in_progress,
    paused,
    not_started,
    superseded,
    unknown,
    round(100.0 * implemented / nullif(recommendations, 0), 1) AS pct_implemented
FROM counts
ORDER BY review_id, first_number;
COMMENT ON VIEW progress_by_theme IS 'Per review and theme (the heading a recommendation sits under; overarching before any heading): recommendations, counts by latest implementation status and the share implemented (%). first_number orders themes as in the review.';
