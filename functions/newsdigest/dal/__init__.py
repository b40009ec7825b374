"""Data access: the only package that talks to AWS. It hides boto3 behind small interfaces."""

from newsdigest.dal.articles import ArticleStore, Page

__all__ = ["ArticleStore", "Page"]
