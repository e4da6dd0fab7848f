-- The latest statement on each axis for every recommendation; with no evidence, no_response / unknown.
-- Latest = most recent publication date; ties: higher confidence, then analyst over rule.
CREATE OR REPLACE VIEW recommendation_status AS
SELECT * FROM recommendation_status_as_at(NULL);
COMMENT ON VIEW recommendation_status IS 'Latest response and implementation status of every recommendation (latest by publication date; ties: confidence, then analyst over rule). recommendation_status_as_at(DATE) gives the same as it stood on a date.';
