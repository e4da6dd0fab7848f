"""Processing stages over the working database: parsing captures, extracting recommendations and evidence."""
