-- One row per review: recommendations found against the number stated, and counts by status.
-- A line with an axis in braces is written once per status of that axis, in the order of tracker/vocabulary.py
-- (tracker/warehouse/db.py, when the views are created): a new status needs no edit here.
CREATE OR REPLACE VIEW review_progress AS
WITH counts AS (
    SELECT
        review_id,
        count(*) FILTER (WHERE response_status = '{response}') AS {response},
        count(*) FILTER (WHERE implementation_status = '{implementation}') AS {implementation},
        count(*) AS recommendations
    FROM recommendation_status
    GROUP BY review_id
)
SELECT
    v.review_id,
    v.title,
    coalesce(c.recommendations, 0) AS recommendations,
    v.expected_recommendations,
    coalesce(c.{response}, 0) AS {response},
    coalesce(c.{implementation}, 0) AS {implementation},
    round(100.0 * coalesce(c.implemented, 0) / nullif(c.recommendations, 0), 1) AS pct_implemented
FROM reviews AS v
LEFT JOIN counts AS c USING (review_id)
ORDER BY v.published_on, v.review_id;
COMMENT ON VIEW review_progress IS 'Per review: recommendations found vs the number the review states, counts by latest status, and the share implemented (%).';
