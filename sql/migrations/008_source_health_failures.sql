-- Source health: a source that could not be reached, or yielded far less than last run, is never a quiet week.

ALTER TABLE source_health ADD COLUMN fetch_error VARCHAR;
ALTER TABLE source_health ADD COLUMN not_modified INTEGER;
ALTER TABLE source_health ADD COLUMN unchanged INTEGER;
ALTER TABLE source_health ADD COLUMN listed_since DATE;
COMMENT ON COLUMN source_health.fetch_error IS 'Why the crawl failed, in plain words (e.g. robots.txt unreachable: name not resolved); NULL when it worked or the run was offline.';
COMMENT ON COLUMN source_health.not_modified IS 'URLs that answered 304 Not Modified this run (live runs; NULL offline).';
COMMENT ON COLUMN source_health.unchanged IS 'Pages whose newest capture was parsed before and is unchanged; parsed + unchanged is what the source yielded this run.';
COMMENT ON COLUMN source_health.listed_since IS 'The --since date the listing stopped at (NULL: the full listing); only listings with the same since are compared.';
