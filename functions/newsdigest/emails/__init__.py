"""Email and subscription-page rendering: Jinja2 templates with autoescape, MIME assembly. Pure Python."""
