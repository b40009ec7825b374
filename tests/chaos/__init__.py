"""The fault suite (``make chaos``); a small seeded run is tests/e2e/test_chaos.py."""
