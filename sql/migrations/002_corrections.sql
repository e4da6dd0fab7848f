-- Analyst corrections, loaded from $TRACKER_HOME/corrections/*.csv on every run.

ALTER TABLE recommendations ADD COLUMN method VARCHAR DEFAULT 'rule';
COMMENT ON COLUMN recommendations.method IS 'rule when found in the review''s document; analyst when added by a correction.';

CREATE TABLE corrections (
    file       VARCHAR NOT NULL,
    line       INTEGER NOT NULL,
    review_id  VARCHAR,
    number     INTEGER,
    axis       VARCHAR,
    status     VARCHAR,
    quote      VARCHAR,
    source_url VARCHAR,
    analyst    VARCHAR,
    date       DATE,
    applied    BOOLEAN NOT NULL,
    problem    VARCHAR,
    PRIMARY KEY (file, line)
);
COMMENT ON TABLE corrections IS 'Every analyst correction read in the last run; applied = false with a problem when it no longer matches anything (reported, never dropped).';
