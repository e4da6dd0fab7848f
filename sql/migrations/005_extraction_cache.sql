-- Incremental extraction: evidence found by the rules is kept per document, and a document is read
-- again only when its content, its review, or the recommendations it is matched against change.

CREATE TABLE extraction_state (
    url            VARCHAR PRIMARY KEY,
    content_sha256 VARCHAR NOT NULL,
    review_id      VARCHAR,
    fingerprint    VARCHAR NOT NULL
);
COMMENT ON TABLE extraction_state IS 'Per publication: the content hash, owning review and extraction fingerprint (rules version, registry, recommendation texts) its rule evidence was made with.';

CREATE TABLE rule_evidence (
    review_id    VARCHAR NOT NULL,
    number       INTEGER NOT NULL,
    axis         VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    quote        VARCHAR NOT NULL,
    source_url   VARCHAR NOT NULL,
    published_on DATE,
    method       VARCHAR NOT NULL,
    confidence   DOUBLE NOT NULL
);
COMMENT ON TABLE rule_evidence IS 'Evidence made by the rules, before analyst corrections; status_evidence is this with corrections applied.';
