-- Documents that breach the parse limits (memory, time, a crash of the parser) are not parsed again
-- until their bytes change: the error row keeps the content hash it failed on.

ALTER TABLE processing_errors ADD COLUMN content_sha256 VARCHAR;
ALTER TABLE processing_errors ADD COLUMN breach VARCHAR;
COMMENT ON TABLE processing_errors IS 'Documents that failed to parse or extract. Ordinary failures are retried on the next run; a breach of the per-document limits (breach = memory, time or crash) is retried only when the document''s bytes (content_sha256) change.';
COMMENT ON COLUMN processing_errors.content_sha256 IS 'SHA-256 of the captured bytes that failed (NULL for archive-level errors).';
COMMENT ON COLUMN processing_errors.breach IS 'memory, time or crash when the document hit a per-document limit (TRACKER_PARSE_MEMORY_MB, TRACKER_PARSE_SECONDS, TRACKER_EXTRACT_SECONDS) or killed its parser; NULL for an ordinary error.';
