-- Core tables: the registry, parsed publications and their blocks, recommendations, evidence.
-- Times are UTC (TIMESTAMP without zone); dates are publication dates as the publisher gives them.

CREATE TABLE reviews (
    review_id                VARCHAR PRIMARY KEY,
    title                    VARCHAR NOT NULL,
    publisher                VARCHAR,
    published_on             DATE,
    url                      VARCHAR,
    expected_recommendations INTEGER,
    kind                     VARCHAR NOT NULL DEFAULT 'recommendations'
);
COMMENT ON TABLE reviews IS 'Tracked NHS leadership reviews (from tracker/reviews.toml). expected_recommendations is what the review states; NULL when unknown.';

CREATE TABLE publications (
    url              VARCHAR PRIMARY KEY,
    source           VARCHAR NOT NULL,
    title            VARCHAR,
    published_on     DATE,
    document_type    VARCHAR,
    fetched_at       TIMESTAMP,
    content_sha256   VARCHAR,
    capture_url      VARCHAR,
    warc_file        VARCHAR,
    warc_offset      BIGINT,
    updated_on       DATE,
    authors          VARCHAR[],
    topics           VARCHAR[],
    summary          VARCHAR,
    parent_url       VARCHAR,
    has_text         BOOLEAN,
    review_id        VARCHAR,
    relevant         BOOLEAN,
    relevance_reason VARCHAR,
    parser_version   INTEGER
);
COMMENT ON TABLE publications IS 'Every parsed document: canonical URL, publisher, dates, the capture it was read from (WARC file and offset) and whether it is relevant.';
COMMENT ON COLUMN publications.capture_url IS 'The URL actually fetched (e.g. the GOV.UK Content API address), as recorded in the WARC archive.';
COMMENT ON COLUMN publications.review_id IS 'Set when the document is one of a tracked review''s own documents (its page, an attachment or child, or by title).';

CREATE TABLE attachments (
    publication_url VARCHAR NOT NULL,
    url             VARCHAR NOT NULL,
    relation        VARCHAR NOT NULL CHECK (relation IN ('attachment', 'child')),
    title           VARCHAR,
    content_type    VARCHAR,
    PRIMARY KEY (publication_url, url)
);
COMMENT ON TABLE attachments IS 'Files a publication links to or lists as GOV.UK attachments (relation attachment), and its GOV.UK child pages (relation child).';

CREATE TABLE parsed_captures (
    capture_url     VARCHAR PRIMARY KEY,
    sha256          VARCHAR NOT NULL,
    parser_version  INTEGER NOT NULL,
    publication_url VARCHAR
);
COMMENT ON TABLE parsed_captures IS 'Which capture (by content hash and parser version) each publication was last parsed from: unchanged content is not parsed again.';

CREATE TABLE document_blocks (
    url   VARCHAR NOT NULL,
    seq   INTEGER NOT NULL,
    kind  VARCHAR NOT NULL,
    level INTEGER,
    label VARCHAR,
    page  INTEGER,
    role  VARCHAR NOT NULL,
    text  VARCHAR NOT NULL,
    PRIMARY KEY (url, seq)
);
COMMENT ON TABLE document_blocks IS 'Structured text of each publication: headings, paragraphs, list items, table rows; role is body for the publisher''s words, else comment, quote or banner.';

CREATE TABLE recommendations (
    review_id  VARCHAR NOT NULL,
    number     INTEGER NOT NULL,
    text       VARCHAR NOT NULL,
    theme      VARCHAR,
    source_url VARCHAR,
    page       INTEGER,
    ref        VARCHAR,
    PRIMARY KEY (review_id, number)
);
COMMENT ON TABLE recommendations IS 'One row per recommendation (or plan commitment) found in a review''s own document; page is the PDF page, else NULL.';

CREATE TABLE status_evidence (
    review_id    VARCHAR NOT NULL,
    number       INTEGER NOT NULL,
    axis         VARCHAR NOT NULL CHECK (axis IN ('response', 'implementation')),
    status       VARCHAR NOT NULL,
    quote        VARCHAR NOT NULL CHECK (length(trim(quote)) > 0),
    source_url   VARCHAR NOT NULL,
    published_on DATE,
    method       VARCHAR NOT NULL CHECK (method IN ('rule', 'analyst')),
    confidence   DOUBLE NOT NULL,
    CHECK (
        (axis = 'response' AND status IN ('accepted', 'accepted_in_principle', 'partially_accepted', 'rejected', 'under_consideration', 'no_response'))
        OR (axis = 'implementation' AND status IN ('implemented', 'partially_implemented', 'in_progress', 'paused', 'not_started', 'superseded', 'unknown'))
    )
);
COMMENT ON TABLE status_evidence IS 'One row per statement about a recommendation: the verbatim quote, its source URL and date. axis response = what was decided; implementation = what has happened.';

CREATE TABLE archive_files (
    warc_file  VARCHAR PRIMARY KEY,
    sha256     VARCHAR,
    records    INTEGER,
    indexed_at TIMESTAMP
);
COMMENT ON TABLE archive_files IS 'WARC files of the archive already indexed (files are immutable once closed).';

CREATE TABLE archive_index (
    warc_file      VARCHAR NOT NULL,
    warc_offset    BIGINT NOT NULL,
    url            VARCHAR NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,
    status         INTEGER,
    content_type   VARCHAR,
    sha256         VARCHAR,
    source         VARCHAR,
    published_hint DATE,
    etag           VARCHAR,
    last_modified  VARCHAR,
    PRIMARY KEY (warc_file, warc_offset)
);
COMMENT ON TABLE archive_index IS 'Every response record in the WARC archive: where it is, what URL, when, status and content hash.';

CREATE TABLE runs (
    run_id      VARCHAR PRIMARY KEY,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    mode        VARCHAR,
    sources     VARCHAR,
    outcome     VARCHAR,
    summary     VARCHAR
);
COMMENT ON TABLE runs IS 'One row per pipeline run; run timestamps live here and nowhere else, so the other tables are identical across re-runs.';

CREATE TABLE processing_errors (
    url         VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,
    error       VARCHAR NOT NULL,
    captured_at TIMESTAMP,
    PRIMARY KEY (url, stage)
);
COMMENT ON TABLE processing_errors IS 'Documents that failed to parse or extract in the last run; they are retried on the next run.';

CREATE TABLE data_quality (
    review_id VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    passed    BOOLEAN NOT NULL,
    detail    VARCHAR,
    PRIMARY KEY (review_id, check_name)
);
COMMENT ON TABLE data_quality IS 'Checks per review, e.g. recommendations found equal to the number the review states.';
