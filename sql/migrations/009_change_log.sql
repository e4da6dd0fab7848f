-- The change log: every change ever detected, recorded once, by the publish that first saw it.
-- Runs say whether they were the scheduled weekly run, and which version they published: the
-- digest's window and the retention of published versions are read from them.

CREATE TABLE change_log (
    change_id      BIGINT PRIMARY KEY,
    change_type    VARCHAR NOT NULL CHECK (change_type IN (
        'status_change', 'new_evidence', 'withdrawn_evidence', 'new_recommendation', 'removed_recommendation',
        'new_publication', 'updated_publication', 'withdrawn_publication')),
    review_id      VARCHAR,
    number         INTEGER,
    axis           VARCHAR,
    before         VARCHAR,
    after          VARCHAR,
    published_on   DATE,
    source_url     VARCHAR,
    title_or_quote VARCHAR,
    run_id         VARCHAR NOT NULL,
    version_file   VARCHAR NOT NULL,
    detected_at    TIMESTAMP NOT NULL
);
COMMENT ON TABLE change_log IS 'Append-only: every change ever detected (status change, new or withdrawn evidence, new or removed recommendation, new, updated or withdrawn publication), recorded once, by the run and published version (version_file, published at detected_at, UTC) that first saw it. change_id gives the order of detection.';

ALTER TABLE runs ADD COLUMN run_type VARCHAR;
ALTER TABLE runs ADD COLUMN scheduled_for TIMESTAMP;
ALTER TABLE runs ADD COLUMN version_file VARCHAR;
ALTER TABLE runs ADD COLUMN published_at TIMESTAMP;
COMMENT ON COLUMN runs.run_type IS 'scheduled for the weekly run (the Airflow weekly DAG''s scheduled runs, or `tracker run --scheduled`), else manual; NULL for runs recorded before this column existed.';
COMMENT ON COLUMN runs.scheduled_for IS 'The slot a scheduled run is for (Airflow''s logical date; the start of a `tracker run --scheduled`); runs whose slots fall in one ISO week are one weekly run (a retry is not a new week).';
COMMENT ON COLUMN runs.version_file IS 'The published version (file name in published/) this run published last; NULL if it published none.';
COMMENT ON COLUMN runs.published_at IS 'When (UTC) version_file was published.';
