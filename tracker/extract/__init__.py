"""Extraction: recommendations from reviews, and statements of their status from every kept document."""
