"""Publishing for analysts, read from a published warehouse: exports (CSV, Excel, Parquet), the change
digest against the previous published version, and the self-contained HTML briefing."""
