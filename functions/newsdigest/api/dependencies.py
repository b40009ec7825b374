"""What the routes work with, built once per cold start."""

from functools import lru_cache

from newsdigest.config import Settings, get_settings
from newsdigest.dal import ArticleStore


@lru_cache(maxsize=1)
def article_store() -> ArticleStore:
    return ArticleStore(get_settings().articles_table)


def settings() -> Settings:
    return get_settings()
