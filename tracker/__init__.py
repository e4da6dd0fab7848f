"""NHS leadership policy tracker: reviews' recommendations and what has been decided and done about each."""

__version__ = "0.1.0"
