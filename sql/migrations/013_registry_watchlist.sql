-- The analyst's registry of reviews (merged over the built-in one) and watchlist of pages.

ALTER TABLE reviews ADD COLUMN short_name VARCHAR;
ALTER TABLE reviews ADD COLUMN documents VARCHAR[];
ALTER TABLE reviews ADD COLUMN origin VARCHAR;
COMMENT ON TABLE reviews IS 'Tracked NHS leadership reviews: the built-in registry (tracker/reviews.toml) with the analyst''s own registry ($TRACKER_HOME/reviews.toml or TRACKER_REGISTRY) merged over it. expected_recommendations is what the review states; NULL when unknown.';
COMMENT ON COLUMN reviews.short_name IS 'What analysts call the review, e.g. Kark review (2019); the title when the registry gives none.';
COMMENT ON COLUMN reviews.documents IS 'URLs of the review''s own documents besides url (e.g. the report''s PDF): recommendations are read from them.';
COMMENT ON COLUMN reviews.origin IS 'built_in (tracker/reviews.toml), analyst (added by the analyst''s registry) or analyst_override (a built-in review the analyst''s registry changes).';

CREATE TABLE watched_pages (
    url            VARCHAR PRIMARY KEY,
    note           VARCHAR,
    added_at       TIMESTAMP,
    last_fetched   TIMESTAMP,
    last_status    INTEGER,
    change         VARCHAR,
    last_changed   TIMESTAMP,
    title          VARCHAR,
    published_on   DATE,
    evidence       INTEGER NOT NULL,
    healthy        BOOLEAN,
    problem        VARCHAR
);
COMMENT ON TABLE watched_pages IS 'Pages on the analyst''s watchlist (`tracker watch add URL`), fetched every live run: the last fetch (UTC) and its HTTP status, change (new, changed, unchanged, not_modified or NULL before any fetch) and when the content last changed, the title and date read from it, status evidence rows it gave, and healthy (NULL: not fetched yet) with the problem in plain words.';
