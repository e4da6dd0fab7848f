-- Where a source outside the official position contradicts it later: for analysts to chase.
CREATE OR REPLACE VIEW status_disagreements AS
SELECT * FROM status_disagreements_as_at(NULL)
ORDER BY review_id, number, axis, other_published_on, other_source_url, other_quote;
COMMENT ON VIEW status_disagreements IS 'One row per statement by an independent publisher (or a report of the official decision) published on or after the official position on the same recommendation and axis, giving a different status: both statuses, dates, citations, quotes and sources. Undated statements are left out (they cannot be placed in time).';
