-- The status of every recommendation on each axis, with the official position and the independent
-- assessment behind it; with no evidence, no_response / unknown. See 005_status_as_at.sql for the rule.
CREATE OR REPLACE VIEW recommendation_status AS
SELECT * FROM recommendation_status_as_at(NULL);
COMMENT ON VIEW recommendation_status IS 'Status of every recommendation. response_status is the official position (the owner''s or a minister''s own words first, then a report of them), or the independent assessment where no official statement exists; implementation_status is whichever of the two was published later (ties: official). official_* and independent_* give each position''s status, quote, date, source and citation; *_basis says which one the headline rests on; *_disputed marks a later statement that contradicts the official position (see status_disagreements). recommendation_status_as_at(DATE) gives the same as it stood on a date.';
