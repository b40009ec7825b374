"""Articles: ingest, stable ids, the timeline, reads (catalog), summaries and the daily page."""
