-- Who publishes each document and how every quote is attributed; the speaker kinds as data.

ALTER TABLE publications ADD COLUMN speaker VARCHAR;
ALTER TABLE publications ADD COLUMN publisher VARCHAR;
COMMENT ON COLUMN publications.speaker IS 'The kind of publisher: government, implementing_body, parliament, regulator or independent (from the host, and for GOV.UK from the organisations it lists).';
COMMENT ON COLUMN publications.publisher IS 'The publisher''s name as cited next to a quote: DHSC, NHS England, The King''s Fund ...';

ALTER TABLE status_evidence ADD COLUMN publisher VARCHAR;
ALTER TABLE status_evidence ADD COLUMN cited_as VARCHAR;
COMMENT ON COLUMN status_evidence.publisher IS 'The name of the publisher of source_url (publications.publisher, or from the host for a page the archive does not hold).';
COMMENT ON COLUMN status_evidence.cited_as IS 'How the quote is attributed: publisher, document title and date, e.g. "DHSC — Kark review: government response, 16 Aug 2019".';

ALTER TABLE unresolved_statements ADD COLUMN publisher VARCHAR;
ALTER TABLE unresolved_statements ADD COLUMN cited_as VARCHAR;

CREATE TABLE speaker_vocabulary (
    speaker  VARCHAR PRIMARY KEY,
    stance   VARCHAR NOT NULL CHECK (stance IN ('official', 'reported', 'independent')),
    position INTEGER NOT NULL,
    label    VARCHAR NOT NULL
);
COMMENT ON TABLE speaker_vocabulary IS 'Speaker kinds and their stance, written from tracker/vocabulary.py on every run: official (the owning body, the implementing body, ministers in Parliament), reported (an independent publisher reporting the owning body''s decision) or independent (commentary, membership bodies, press, regulators).';
