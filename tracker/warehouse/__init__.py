"""The warehouse: DuckDB migrations, bulk loads and atomic publishing."""
