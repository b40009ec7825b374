"""The composition root: settings, stores, mailer, job queue and clock, built once per cold start.

Handlers (and the API routes) take what they need from ``services``; the logic below them receives it as
arguments. Members are built on first use, so a function pays only for the clients it uses. A test is a
cold start: ``cold_start(mailer=fake, clock=...)`` replaces the instance, with fakes where it wants them.

Nothing else in the package keeps a module-level cache of clients, tables or settings.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from newsdigest.clock import Clock, utcnow
from newsdigest.config import SIGNING_KEYS_MAX_AGE_SECONDS, Settings
from newsdigest.signing import SigningKeys

if (
    TYPE_CHECKING
):  # the DAL imports boto3, the fetcher ssl/http: built lazily, so importing wiring stays cheap
    from newsdigest.dal.articles import ArticleStore
    from newsdigest.dal.content import ContentStore
    from newsdigest.dal.feeds import FeedStore
    from newsdigest.dal.jobs import JobQueue
    from newsdigest.dal.mailer import SesMailer
    from newsdigest.dal.secrets import SecretSigningKeys
    from newsdigest.dal.streams import StreamRangeReader
    from newsdigest.dal.subscriptions import SubscriberStore
    from newsdigest.fetcher import Fetcher


class Services:
    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Clock = utcnow,
        settings: Settings | None = None,
        article_store: ArticleStore | None = None,
        content_store: ContentStore | None = None,
        subscriber_store: SubscriberStore | None = None,
        mailer: SesMailer | None = None,
        job_queue: JobQueue | None = None,
        stream_reader: StreamRangeReader | None = None,
        feed_store: FeedStore | None = None,
        feed_queue: JobQueue | None = None,
        fetcher: Fetcher | None = None,
        signing_keys: SigningKeys | None = None,
    ) -> None:
        """Members given here are used as they are; the others are built on first use, from ``environ``
        (default: the process's)."""
        self._environ = environ
        self.clock = clock
        self._signing_keys = signing_keys
        given = {
            "settings": settings,
            "article_store": article_store,
            "content_store": content_store,
            "subscriber_store": subscriber_store,
            "mailer": mailer,
            "job_queue": job_queue,
            "stream_reader": stream_reader,
            "feed_store": feed_store,
            "feed_queue": feed_queue,
            "fetcher": fetcher,
        }
        # A cached_property reads its value from the instance's __dict__ first.
        self.__dict__.update({name: value for name, value in given.items() if value is not None})

    @cached_property
    def settings(self) -> Settings:
        return Settings.from_env(None if self._environ is None else dict(self._environ))

    @cached_property
    def article_store(self) -> ArticleStore:
        from newsdigest.dal.articles import ArticleStore

        return ArticleStore(self.settings.articles_table, content=self.content_store)

    @cached_property
    def content_store(self) -> ContentStore:
        from newsdigest.dal.content import ContentStore

        return ContentStore(self.settings.content_bucket)

    @cached_property
    def subscriber_store(self) -> SubscriberStore:
        from newsdigest.dal.subscriptions import SubscriberStore

        return SubscriberStore(self.settings.subscribers_table)

    @cached_property
    def mailer(self) -> SesMailer:
        from newsdigest.dal.mailer import SesMailer

        return SesMailer(self.settings.mail_from, self.settings.mail_configuration_set)

    @cached_property
    def signing_key_source(self) -> SecretSigningKeys:
        from newsdigest.dal.secrets import SecretSigningKeys

        return SecretSigningKeys(
            self.settings.signing_secret_arn,
            in_lambda=self.settings.in_lambda,
            max_age=SIGNING_KEYS_MAX_AGE_SECONDS,
        )

    @property
    def signing_keys(self) -> SigningKeys:
        """The keys that sign and verify cursors and email links: read from Secrets Manager on first use
        (never at import), then cached by Powertools for a few minutes, so a rotation is picked up."""
        if self._signing_keys is not None:
            return self._signing_keys
        return self.signing_key_source.keys()

    @cached_property
    def job_queue(self) -> JobQueue:
        from newsdigest.dal.jobs import JobQueue

        return JobQueue(self.settings.digest_queue_url)

    @cached_property
    def stream_reader(self) -> StreamRangeReader:
        from newsdigest.dal.streams import StreamRangeReader

        return StreamRangeReader()

    @cached_property
    def feed_store(self) -> FeedStore:
        from newsdigest.dal.feeds import FeedStore

        return FeedStore(self.settings.feeds_table)

    @cached_property
    def feed_queue(self) -> JobQueue:
        from newsdigest.dal.jobs import JobQueue

        return JobQueue(self.settings.feed_queue_url)

    @cached_property
    def fetcher(self) -> Fetcher:
        """The one safe fetcher. Loopback ports only through the explicit test/local setting."""
        from newsdigest.fetcher import Fetcher

        return Fetcher(
            total_timeout=self.settings.fetch_timeout_seconds,
            allow_loopback_ports=self.settings.loopback_ports,
        )


services = Services()


def _import_boto3_before_snapshot() -> None:
    """SnapStart: the snapshot then holds boto3 imported - but no client, no connection, no credentials -
    so a restored environment's first request does not pay for the import. Without SnapStart, never run."""
    import boto3  # noqa: F401


try:  # the Lambda Python runtime (3.12+) provides it; without it there is no snapshot to prepare
    from snapshot_restore_py import register_before_snapshot
except ImportError:
    pass
else:
    register_before_snapshot(_import_boto3_before_snapshot)


def cold_start(**members: Any) -> Services:
    """Replace the process's services, as a new Lambda execution environment would (tests, local stack)."""
    global services
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    if parameters is not None:  # a new environment starts with Powertools' parameter caches empty
        parameters.clear_caches()
    services = Services(**members)
    return services
