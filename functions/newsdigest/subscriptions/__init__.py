"""Digest emails: subscribers (double opt-in, unsubscribe, suppression), their periods, the hourly run and
the deliveries it hands out, the signed links in emails, and the email rendering."""
