"""Service configuration: one pydantic model, read from the environment once per cold start.

Logic code receives a ``Settings`` object; only this module reads ``os.environ``.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field

# Documented limits (README "Limits"). DynamoDB items top out at 400 KB; an article keeps its body and,
# for HTML, the text extracted from it, so the body is capped well below that.
MAX_BODY_BYTES = 150_000
MAX_TITLE_CHARS = 300
MAX_URL_CHARS = 2048
MAX_SOURCE_CHARS = 100
MAX_BATCH_ARTICLES = 25
# A request larger than this is refused (413) before its JSON is parsed.
MAX_REQUEST_BYTES = 4_000_000
MAX_DATE_RANGE_DAYS = 366
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class Settings(BaseModel):
    articles_table: str = Field(default="newsdigest-articles", description="ARTICLES_TABLE")
    digest_sentences: int = Field(default=3, ge=1, le=10, description="NEWSDIGEST_DIGEST_SENTENCES")
    cors_allow_origin: str = Field(
        default="",
        description="NEWSDIGEST_CORS_ALLOW_ORIGIN: an origin (or *) browsers may call from; empty: none",
    )
    signing_secret: str = Field(
        default="newsdigest-local-signing-secret",
        description="NEWSDIGEST_SIGNING_SECRET: HMAC key for pagination cursors",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            var = (field.description or "").split(":")[0]
            if var and var in env and env[var] != "":
                values[name] = env[var]
        return cls.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
