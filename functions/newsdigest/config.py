"""Service configuration: one pydantic model, read from the environment once per cold start.

Logic code receives a ``Settings`` object; only this module reads ``os.environ``, and only
``newsdigest.wiring`` calls it (once per cold start).
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

# Documented limits (README "Limits").
# A body is a whole web page. API Gateway takes 10 MB, but a Lambda function's synchronous request and
# response are 6 MB each, and GET /articles/{id} answers the body *and* its text: 2 MB leaves room for both
# and for JSON escaping.
MAX_BODY_BYTES = 2_000_000
# DynamoDB items top out at 400 KB. An article's body and text (UTF-8) stay in its item up to this size;
# above it they go to the content bucket and the item holds the object's key and sha256 (claim check).
MAX_INLINE_CONTENT_BYTES = 64_000
# The stored summary is bounded by construction: at most this many outline entries (the article's first
# sections), headings and span texts cut to these lengths (a cut span is a prefix: text[start:end] holds).
MAX_OUTLINE_ENTRIES = 40
MAX_HEADING_CHARS = 200
MAX_GIST_CHARS = 500
MAX_DIGEST_SPAN_CHARS = 1_000
MAX_KEYWORDS = 20
MAX_KEYWORD_CHARS = 100
# What GET /articles/{id} may answer (body and text as JSON): under Lambda's 6 MB response limit.
MAX_ARTICLE_RESPONSE_BYTES = 5_500_000
MAX_TITLE_CHARS = 300
MAX_URL_CHARS = 2048
MAX_SOURCE_CHARS = 100
MAX_BATCH_ARTICLES = 25
# A request larger than this is refused (413) before its JSON is parsed (Lambda would refuse over 6 MB).
MAX_REQUEST_BYTES = 5_000_000
MAX_DATE_RANGE_DAYS = 366
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Digest emails. A claim on a (subscriber, period) delivery that is older than the lease belongs to a
# sender that crashed: the lease is longer than the sender's Timeout (a live sender never loses its
# claim) and no longer than the digest queue's VisibilityTimeout (the redelivered message can take over).
DELIVERY_LEASE_SECONDS = 150
# Gmail clips an HTML part above 102 KB; stay clearly under it.
MAX_EMAIL_HTML_BYTES = 100_000
MAX_DIGEST_ARTICLES = 30
CONFIRM_TOKEN_TTL_SECONDS = 7 * 24 * 3600
# At most one confirmation email per address in this interval, however often it is subscribed.
CONFIRMATION_INTERVAL_SECONDS = 600
# Feeds (issue 9): outlines one OPML import may hold; feeds one OPML export lists.
MAX_OPML_OUTLINES = 100
MAX_OPML_EXPORT = 5000
# A fetched page (POST /articles {url}, a teaser's page) may be this large, decompressed.
MAX_PAGE_BYTES = 3 * 1024 * 1024
# A confirmation email being sent holds this claim; a crashed request's claim expires after it (longer than
# SubscriptionsFunction's Timeout), so the next request sends.
CONFIRMATION_CLAIM_SECONDS = 60
# The signing secret is read from Secrets Manager at most this often per execution environment: a rotated
# key reaches every warm function within this time.
SIGNING_KEYS_MAX_AGE_SECONDS = 300


class Settings(BaseModel):
    articles_table: str = Field(default="newsdigest-articles", description="ARTICLES_TABLE")
    content_bucket: str = Field(
        default="newsdigest-content",
        description="CONTENT_BUCKET: S3 bucket for article bodies too large for their DynamoDB item",
    )
    digest_sentences: int = Field(default=3, ge=1, le=10, description="NEWSDIGEST_DIGEST_SENTENCES")
    cors_allow_origin: str = Field(
        default="",
        description="NEWSDIGEST_CORS_ALLOW_ORIGIN: an origin (or *) browsers may call from; empty: none",
    )
    signing_secret_arn: str = Field(
        default="",
        description="NEWSDIGEST_SIGNING_SECRET_ARN: the Secrets Manager secret holding the HMAC key of "
        "cursors and email links (read at run time). Required in Lambda; elsewhere, empty: a random key",
    )
    lambda_function_name: str = Field(
        default="", description="AWS_LAMBDA_FUNCTION_NAME: set by Lambda; a deployment fails closed"
    )
    # ---- digest emails (issue 5)
    subscribers_table: str = Field(
        default="newsdigest-subscribers", description="SUBSCRIBERS_TABLE: subscribers and their deliveries"
    )
    digest_queue_url: str = Field(
        default="", description="DIGEST_QUEUE_URL: where the hourly run puts one job per due subscriber"
    )
    mail_from: str = Field(
        default="digest@newsdigest.local",
        description="NEWSDIGEST_MAIL_FROM: the verified SES sender address",
    )
    mail_configuration_set: str = Field(
        default="", description="NEWSDIGEST_MAIL_CONFIGURATION_SET: SES configuration set (empty: none)"
    )
    public_base_url: str = Field(
        default="",
        description="NEWSDIGEST_PUBLIC_URL: base URL of the API as links in emails show it; empty behind "
        "API Gateway: the URL the request came in on",
    )

    # ---- feeds and pages (issue 9)
    feeds_table: str = Field(default="newsdigest-feeds", description="FEEDS_TABLE: the followed feeds")
    feed_queue_url: str = Field(
        default="", description="FEED_QUEUE_URL: where the feed schedule puts one poll job per due feed"
    )
    fetch_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        le=60,
        description="NEWSDIGEST_FETCH_TIMEOUT: seconds one fetch (DNS, redirects, body) may take in all",
    )
    fetch_allow_loopback_ports: str = Field(
        default="",
        pattern=r"^[0-9, ]*$",
        description="NEWSDIGEST_FETCH_ALLOW_LOOPBACK_PORTS: tests and the local stack only (never set in "
        "template.yaml): comma-separated ports on 127.0.0.1 the fetcher may reach",
    )

    @property
    def loopback_ports(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.fetch_allow_loopback_ports.replace(" ", "").split(",") if p)

    @property
    def in_lambda(self) -> bool:
        return bool(self.lambda_function_name)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            var = (field.description or "").split(":")[0]
            if var and var in env and env[var] != "":
                values[name] = env[var]
        return cls.model_validate(values)
