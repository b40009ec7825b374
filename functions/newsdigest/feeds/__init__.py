"""Feeds: parsing feed documents, the text of their entries, and the poll-state rules."""
