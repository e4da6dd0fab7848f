-- How the rules found the recommendations of each statement, so an analyst can filter the rows that rest on
-- a weaker reading (content matches, anaphora) or that give one status to many recommendations.

ALTER TABLE rule_evidence ADD COLUMN basis VARCHAR;
ALTER TABLE status_evidence ADD COLUMN basis VARCHAR;
COMMENT ON COLUMN status_evidence.basis IS 'How the rules tied the quote to this recommendation (tracker/extract/basis.py): explicit, universal, remainder, enumeration, table, heading, label, anaphora or content; NULL for analyst rows. confidence is the basis''s measured precision; rows below TRACKER_MIN_CONFIDENCE are in unresolved_statements instead.';
