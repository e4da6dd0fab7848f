-- Per run and source: what was listed, fetched and parsed, and whether the source looks healthy.

CREATE TABLE source_health (
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    checked_at    TIMESTAMP NOT NULL,
    listed        INTEGER,
    fetched       INTEGER,
    failed        INTEGER,
    parsed        INTEGER NOT NULL,
    missing_title INTEGER NOT NULL,
    missing_date  INTEGER NOT NULL,
    documents     INTEGER NOT NULL,
    relevant      INTEGER NOT NULL,
    healthy       BOOLEAN NOT NULL,
    message       VARCHAR,
    PRIMARY KEY (run_id, source)
);
COMMENT ON TABLE source_health IS 'One row per run and source: listed/fetched/failed (live runs; NULL offline), pages parsed this run and how many lacked a title or date, documents held, and whether the source looks healthy (a redesign must never look like a quiet week).';
