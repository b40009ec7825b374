"""Data access: the only package that talks to AWS. It hides boto3 behind small interfaces."""

from newsdigest.articles.timeline import Page
from newsdigest.dal.articles import ArticleStore

__all__ = ["ArticleStore", "Page"]
