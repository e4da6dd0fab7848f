-- What a status is when nothing has been said on an axis (no_response, unknown), so the views read it from
-- the vocabulary (tracker/vocabulary.py's DEFAULT_STATUS, written on every run) instead of repeating it.

ALTER TABLE status_vocabulary ADD COLUMN is_default BOOLEAN DEFAULT false;
COMMENT ON COLUMN status_vocabulary.is_default IS 'The status of a recommendation on this axis when no statement has been found (one per axis).';
