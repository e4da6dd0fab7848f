-- The one ranking of statements: which statement on a recommendation and axis is "the latest".
-- Everything that needs an order of statements takes it from here: the positions and the as-at
-- macros (003, 005), status_changes (050) and the briefing's list of statements, newest first.
--   recency - 1 for the latest: the most recent publication date first (undated last), then higher
--             confidence, then analyst over rule, then source_url, quote and status (so the order is
--             total and the same on every run).
--   stance  - the speaker's stance from speaker_vocabulary (written from tracker/vocabulary.py):
--             official, reported or independent (a speaker it does not list is independent);
--   tier    - the stance as a weight: official 0, reported 1, independent 2.
-- An earlier cut-off (the as-at macros) keeps the same relative order, so filtering by date and then
-- taking the lowest recency is the latest statement as it stood on that date.
CREATE OR REPLACE VIEW ranked_evidence AS
SELECT
    e.*,
    coalesce(v.stance, 'independent') AS stance,
    CASE coalesce(v.stance, 'independent') WHEN 'official' THEN 0 WHEN 'reported' THEN 1 ELSE 2 END AS tier,
    row_number() OVER (
        PARTITION BY e.review_id, e.number, e.axis
        ORDER BY e.published_on DESC NULLS LAST, e.confidence DESC, (e.method = 'analyst') DESC,
                 e.source_url, e.quote, e.status
    ) AS recency
FROM status_evidence AS e
LEFT JOIN speaker_vocabulary AS v
    ON v.speaker = e.speaker;
COMMENT ON VIEW ranked_evidence IS 'Every statement (status_evidence) with its speaker''s stance (official, reported, independent), tier (0, 1, 2) and recency: 1 for the latest statement on its recommendation and axis (most recent publication date, undated last; then higher confidence, analyst over rule, source_url, quote). The one ranking the status views and the briefing use.';
