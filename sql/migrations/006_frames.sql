-- Who speaks, statements the machine could not settle, and the status vocabulary as data.

ALTER TABLE status_evidence ADD COLUMN speaker VARCHAR;
ALTER TABLE rule_evidence ADD COLUMN speaker VARCHAR;
COMMENT ON COLUMN status_evidence.speaker IS 'Who speaks: government, implementing_body, parliament, regulator, independent, or reported_official (an independent publisher reporting the owning body''s decision); NULL for analyst rows.';

CREATE TABLE unresolved_statements (
    review_id    VARCHAR NOT NULL,
    quote        VARCHAR NOT NULL CHECK (length(trim(quote)) > 0),
    source_url   VARCHAR NOT NULL,
    published_on DATE,
    predicate    VARCHAR NOT NULL,
    axis         VARCHAR NOT NULL CHECK (axis IN ('response', 'implementation')),
    status       VARCHAR NOT NULL,
    why          VARCHAR NOT NULL,
    speaker      VARCHAR
);
COMMENT ON TABLE unresolved_statements IS 'Statements that name a tracked review and carry a status, but whose recommendations the rules could not resolve (a quantity without which, a list that matches nothing, a count that disagrees with the review). Shown to analysts to settle with a correction row; never guessed.';

CREATE TABLE rule_unresolved (
    review_id    VARCHAR NOT NULL,
    quote        VARCHAR NOT NULL,
    source_url   VARCHAR NOT NULL,
    published_on DATE,
    predicate    VARCHAR NOT NULL,
    axis         VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    why          VARCHAR NOT NULL,
    speaker      VARCHAR
);
COMMENT ON TABLE rule_unresolved IS 'Per-document cache of unresolved statements (kept with rule_evidence for incremental extraction).';

CREATE TABLE status_vocabulary (
    axis     VARCHAR NOT NULL,
    status   VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    label    VARCHAR NOT NULL,
    PRIMARY KEY (axis, status)
);
COMMENT ON TABLE status_vocabulary IS 'The status vocabularies in display order, written from tracker/vocabulary.py on every run (the one place they are defined).';
