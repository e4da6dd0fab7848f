-- Withdrawn documents (`tracker forget URL`), and the publication date recorded with a capture as
-- part of what decides that a document changed.

CREATE TABLE withdrawals (
    url          VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL CHECK (length(trim(reason)) > 0),
    withdrawn_by VARCHAR NOT NULL,
    withdrawn_at TIMESTAMP NOT NULL,
    restored_by  VARCHAR,
    restored_at  TIMESTAMP,
    PRIMARY KEY (url, withdrawn_at)
);
COMMENT ON TABLE withdrawals IS 'Documents withdrawn with `tracker forget URL --reason TEXT`: who, when (UTC) and why. While restored_at is NULL the run leaves out the document''s publication, evidence, unresolved statements and the recommendations read from it; its bytes stay in the WARC archive. `tracker forget --undo URL` sets restored_by and restored_at.';

ALTER TABLE parsed_captures ADD COLUMN published_hint DATE;
COMMENT ON COLUMN parsed_captures.published_hint IS 'The publication date recorded with the capture (`tracker ingest --published`): a capture with the same bytes but another date is parsed again.';
