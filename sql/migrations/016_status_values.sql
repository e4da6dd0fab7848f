-- Which statuses there are is the vocabulary's to say (tracker/vocabulary.py, written to status_vocabulary on
-- every run), and the data-quality check status_vocabulary reports a status outside it: 001's CHECK repeated
-- the list, so a new status needed a migration. DuckDB cannot drop a CHECK, so the table is rebuilt without it,
-- with every other constraint, its columns in their order (publishing copies tables by position) and its comments.

CREATE TABLE status_evidence_rebuilt (
    review_id    VARCHAR NOT NULL,
    number       INTEGER NOT NULL,
    axis         VARCHAR NOT NULL CHECK (axis IN ('response', 'implementation')),
    status       VARCHAR NOT NULL,
    quote        VARCHAR NOT NULL CHECK (length(trim(quote)) > 0),
    source_url   VARCHAR NOT NULL,
    published_on DATE,
    method       VARCHAR NOT NULL CHECK (method IN ('rule', 'analyst')),
    confidence   DOUBLE NOT NULL,
    speaker      VARCHAR,
    publisher    VARCHAR,
    cited_as     VARCHAR,
    basis        VARCHAR
);
INSERT INTO status_evidence_rebuilt BY NAME SELECT * FROM status_evidence;
DROP TABLE status_evidence;
ALTER TABLE status_evidence_rebuilt RENAME TO status_evidence;

COMMENT ON TABLE status_evidence IS 'One row per statement about a recommendation: the verbatim quote, its source URL and date. axis response = what was decided; implementation = what has happened.';
COMMENT ON COLUMN status_evidence.status IS 'One of the axis''s statuses in status_vocabulary; the data_quality check status_vocabulary reports any other.';
COMMENT ON COLUMN status_evidence.speaker IS 'Who speaks: government, implementing_body, parliament, regulator, independent, or reported_official (an independent publisher reporting the owning body''s decision); NULL for analyst rows.';
COMMENT ON COLUMN status_evidence.publisher IS 'The name of the publisher of source_url (publications.publisher, or from the host for a page the archive does not hold).';
COMMENT ON COLUMN status_evidence.cited_as IS 'How the quote is attributed: publisher, document title and date, e.g. "DHSC — Kark review: government response, 16 Aug 2019".';
COMMENT ON COLUMN status_evidence.basis IS 'How the rules tied the quote to this recommendation (tracker/extract/basis.py): explicit, universal, remainder, enumeration, table, heading, label, anaphora or content; NULL for analyst rows. confidence is the basis''s measured precision; rows below TRACKER_MIN_CONFIDENCE are in unresolved_statements instead.';
