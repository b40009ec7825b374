"""Data access: the only package that talks to AWS. It hides boto3 behind small interfaces."""

from newsdigest.dal.articles import ArticleStore
from newsdigest.timeline import Page

__all__ = ["ArticleStore", "Page"]
