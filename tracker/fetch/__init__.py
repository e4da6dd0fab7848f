"""Fetching: polite HTTP, WARC capture of every response, and replay from the archive."""
