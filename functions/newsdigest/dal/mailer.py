"""Sending mail: SES (API v2), raw MIME, from the configured verified sender."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from newsdigest.errors import MailRejected, MailUnavailable

# Retrying later may succeed; anything else SES refuses is refused for good.
_TRANSIENT = {
    "TooManyRequestsException",
    "LimitExceededException",
    "SendingPausedException",
    "AccountSuspendedException",
    "Throttling",
    "ThrottlingException",
    "ServiceUnavailable",
    "InternalFailure",
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
        import boto3  # on first use: see dal/dynamodb.py

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
            raise MailRejected(f"{code}: {message}") from exc
