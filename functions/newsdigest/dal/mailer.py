"""Sending mail: SES (API v2), raw MIME, from the configured verified sender."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from newsdigest.errors import MailNotAllowed, MailRejected, MailUnavailable

# Retrying in a moment may succeed.
_TRANSIENT = {
    "TooManyRequestsException",
    "LimitExceededException",
    "Throttling",
    "ThrottlingException",
    "ServiceUnavailable",
    "InternalFailure",
}
# The account may not send this now; an operator must act, then a retry succeeds. In the SES sandbox an
# unverified recipient (or sender) is refused with MessageRejected "Email address is not verified".
_ACCOUNT = {
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "SendingPausedException",
    "AccountSuspendedException",
    "NotFoundException",  # the configuration set is gone
}


class SesMailer:
    def __init__(self, sender: str, configuration_set: str = "", client: Any | None = None) -> None:
        self.sender = sender
        self.configuration_set = configuration_set
        if client is not None:
            self.client = client
        self.calls = 0  # SendEmail calls made by this instance (metrics, measurements)

    @cached_property
    def client(self) -> Any:
        return boto3.client("sesv2")

    def send(self, raw: bytes) -> str:
        """Send one raw MIME message; returns the SES message id."""
        kwargs: dict[str, Any] = {"FromEmailAddress": self.sender, "Content": {"Raw": {"Data": raw}}}
        if self.configuration_set:
            kwargs["ConfigurationSetName"] = self.configuration_set
        self.calls += 1
        try:
            return str(self.client.send_email(**kwargs)["MessageId"])
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            message = exc.response["Error"].get("Message", code)
            if code in _TRANSIENT:
                raise MailUnavailable(f"{code}: {message}") from exc
            if code in _ACCOUNT:
                raise MailNotAllowed(f"{code}: {message}") from exc
            raise MailRejected(f"{code}: {message}") from exc
        except BotoCoreError as exc:  # no answer (connection, timeout): try again later
            raise MailUnavailable(f"{type(exc).__name__}: {exc}") from exc
