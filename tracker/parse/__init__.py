"""Document parsing: HTML, PDF and GOV.UK Content API JSON into structured blocks."""
