"""Neutral modules every area may use: the policy, the event catalogue and seam, labels, form
fields, look-ups, conflicts, rhythm, htmx helpers, search, charts, spreadsheets, PDF, metrics,
freshness and the registry of page pieces (how a page shows another area's piece). They import
models and core, never an area."""
