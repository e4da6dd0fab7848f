-- One row per review: recommendations found against the number stated, and counts by status.
CREATE OR REPLACE VIEW review_progress AS
WITH counts AS (
    SELECT
        review_id,
        count(*) AS recommendations,
        count(*) FILTER (WHERE response_status = 'accepted') AS accepted,
        count(*) FILTER (WHERE response_status = 'accepted_in_principle') AS accepted_in_principle,
        count(*) FILTER (WHERE response_status = 'partially_accepted') AS partially_accepted,
        count(*) FILTER (WHERE response_status = 'rejected') AS rejected,
        count(*) FILTER (WHERE response_status = 'under_consideration') AS under_consideration,
        count(*) FILTER (WHERE response_status = 'no_response') AS no_response,
        count(*) FILTER (WHERE implementation_status = 'implemented') AS implemented,
        count(*) FILTER (WHERE implementation_status = 'partially_implemented') AS partially_implemented,
        count(*) FILTER (WHERE implementation_status = 'in_progress') AS in_progress,
        count(*) FILTER (WHERE implementation_status = 'paused') AS paused,
        count(*) FILTER (WHERE implementation_status = 'not_started') AS not_started,
        count(*) FILTER (WHERE implementation_status = 'superseded') AS superseded,
        count(*) FILTER (WHERE implementation_status = 'unknown') AS unknown
    FROM recommendation_status
    GROUP BY review_id
)
SELECT
    v.review_id,
    v.title,
    coalesce(c.recommendations, 0) AS recommendations,
    v.expected_recommendations,
    coalesce(c.accepted, 0) AS accepted,
    coalesce(c.accepted_in_principle, 0) AS accepted_in_principle,
    coalesce(c.partially_accepted, 0) AS partially_accepted,
    coalesce(c.rejected, 0) AS rejected,
    coalesce(c.under_consideration, 0) AS under_consideration,
    coalesce(c.no_response, 0) AS no_response,
    coalesce(c.implemented, 0) AS implemented,
    coalesce(c.partially_implemented, 0) AS partially_implemented,
    coalesce(c.in_progress, 0) AS in_progress,
    coalesce(c.paused, 0) AS paused,
    coalesce(c.not_started, 0) AS not_started,
    coalesce(c.superseded, 0) AS superseded,
    coalesce(c.unknown, 0) AS unknown,
    round(100.0 * coalesce(c.implemented, 0) / nullif(c.recommendations, 0), 1) AS pct_implemented
FROM reviews AS v
LEFT JOIN counts AS c USING (review_id)
ORDER BY v.published_on, v.review_id;
COMMENT ON VIEW review_progress IS 'Per review: recommendations found vs the number the review states, counts by latest status, and the share implemented (%).';
