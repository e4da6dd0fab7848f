-- Recommendations nobody has said anything about for a year: no status evidence published in the
-- 12 months before TODAY (current_date when queried, not the date of the data), or no evidence at all.
-- So the answer changes with the calendar even when the data does not: a recommendation becomes
-- stale on the first anniversary of its last dated statement. Undated evidence never counts as recent.
-- The one home of "12 months": stale_cutoff(day) is the first day a statement must be published on or after
-- for a recommendation not to be stale on `day` (this view, briefing_figures_on, the briefing's flags).
CREATE OR REPLACE MACRO stale_cutoff(as_at) AS CAST(CAST(as_at AS DATE) - INTERVAL 12 MONTH AS DATE);

CREATE OR REPLACE VIEW stale_recommendations AS
WITH cutoff AS (
    SELECT stale_cutoff(current_date) AS cutoff_on
),
current_status AS (
    SELECT s.*, r.theme
    FROM recommendation_status AS s
    JOIN recommendations AS r
        ON r.review_id = s.review_id AND r.number = s.number
)
SELECT
    s.review_id,
    s.number,
    s.theme,
    s.text,
    s.response_status,
    s.implementation_status,
    s.evidence_count,
    s.last_evidence_on,
    s.last_evidence_url,
    c.cutoff_on
FROM current_status AS s
CROSS JOIN cutoff AS c
WHERE s.last_evidence_on IS NULL OR s.last_evidence_on < c.cutoff_on
ORDER BY s.review_id, s.number;
COMMENT ON VIEW stale_recommendations IS 'Recommendations with no status evidence published on or after cutoff_on = current_date minus 12 months (relative to the day of the query, not the date of the data), including those with no evidence at all; last_evidence_on is the latest dated statement.';
