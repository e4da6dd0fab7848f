"""The stages of a run: crawling the sources into the archive, parsing captures, extracting recommendations and
evidence into the working database."""
