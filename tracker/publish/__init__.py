"""Publishing for analysts: CSV exports and the HTML briefing, read from a published warehouse."""
