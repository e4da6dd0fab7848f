-- The fetcher's crawl state per URL, copied from $TRACKER_HOME/state/<source>.json by the processing stage.
-- (Fetch tasks run in parallel on different workers and DuckDB has one writer, so they keep JSON files.)

CREATE TABLE crawl_state (
    source               VARCHAR NOT NULL,
    url                  VARCHAR NOT NULL,
    last_status          INTEGER,
    etag                 VARCHAR,
    last_modified        VARCHAR,
    sha256               VARCHAR,
    capture_warc         VARCHAR,
    capture_url          VARCHAR,
    last_fetched         VARCHAR,
    last_changed         VARCHAR,
    unchanged            BOOLEAN,
    consecutive_failures INTEGER NOT NULL,
    last_error           VARCHAR,
    skipped              VARCHAR,
    PRIMARY KEY (source, url)
);
COMMENT ON TABLE crawl_state IS 'Per URL the fetcher has seen: last status, validators for conditional requests, content hash, last fetch, consecutive failures (retried next run), last error, and why it was skipped (robots.txt, host not allowed).';
