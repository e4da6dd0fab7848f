-- What the briefing's figures group statuses by, read from the vocabulary instead of written into the views:
-- `family` is the status a qualified one belongs to ("accepted_in_principle" is a form of "accepted"; a status
-- with no qualifier is its own family), and `closes` marks an implementation status that leaves nothing
-- outstanding (implemented, superseded). Both are written from tracker/vocabulary.py on every run.
ALTER TABLE status_vocabulary ADD COLUMN family VARCHAR;
ALTER TABLE status_vocabulary ADD COLUMN closes BOOLEAN DEFAULT false;
COMMENT ON COLUMN status_vocabulary.family IS 'The status this one is a form of (accepted for accepted_in_principle), else itself.';
COMMENT ON COLUMN status_vocabulary.closes IS 'An implementation status that leaves nothing outstanding (implemented, superseded).';
