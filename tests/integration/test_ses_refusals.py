"""What POST /subscriptions answers when SES refuses the confirmation email, and that the client's retry then
sends it (README "Sending email"). moto's SES has no sandbox: SES's refusals are simulated by a client that
answers like SES before handing over to moto's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from newsdigest.config import CONFIRMATION_CLAIM_SECONDS

from tests.digest_helpers import mail_to, subscription

SANDBOX = (
    "MessageRejected",
    "Email address is not verified. The following identities failed the check in region US-EAST-1: "
    "ada@example.com",
)


class RefusingSes:
    """An SES v2 client that refuses the first ``times`` sends as SES would, then sends through moto."""

    def __init__(self, refusal: tuple[str, str] | Exception, times: int = 1) -> None:
        self.refusal = refusal
        self.times = times
        self.real = boto3.client("sesv2")

    def send_email(self, **kwargs: Any) -> Any:
        if self.times > 0:
            self.times -= 1
            if isinstance(self.refusal, Exception):
                raise self.refusal
            code, message = self.refusal
            raise ClientError({"Error": {"Code": code, "Message": message}}, "SendEmail")
        return self.real.send_email(**kwargs)


def refusing_mailer(refusal: tuple[str, str] | Exception, times: int = 1) -> Any:
    from newsdigest import wiring
    from newsdigest.dal.mailer import SesMailer

    settings = wiring.services.settings
    return SesMailer(settings.mail_from, settings.mail_configuration_set, client=RefusingSes(refusal, times))


def subscribe(aws) -> dict[str, Any]:
    from tests.conftest import load_event

    event = load_event("subscriptions-post.json")
    event["body"] = json.dumps(subscription("ada@example.com"))
    response = aws.invoke("SubscriptionsFunction", event)
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    headers |= {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    return {"status": response["statusCode"], "headers": headers, "body": json.loads(response["body"])}


@pytest.mark.parametrize(
    ("refusal", "code", "retry_after"),
    [
        # A sandbox account: the recipient is not verified. An operator must act; no client error.
        (SANDBOX, "mail_not_allowed", 600),
        (("SendingPausedException", "Sending is paused for this account."), "mail_not_allowed", 600),
        (("MailFromDomainNotVerifiedException", "MAIL FROM not verified"), "mail_not_allowed", 600),
        # Throttled, or no answer at all: retry in a moment.
        (("TooManyRequestsException", "Maximum sending rate exceeded."), "mail_unavailable", 30),
        (
            EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com"),
            "mail_unavailable",
            30,
        ),
    ],
)
def test_an_ses_refusal_is_a_503_with_retry_after_and_the_retry_sends(aws, fakes, refusal, code, retry_after):
    # Given SES refusing the confirmation email once
    fakes(mailer=refusing_mailer(refusal))
    # When someone subscribes
    answer = subscribe(aws)
    # Then a 503 that says when to retry, with no word from SES in it, and nothing sent
    assert answer["status"] == 503 and int(answer["headers"]["retry-after"]) == retry_after
    assert answer["body"]["error"]["code"] == code
    assert "verified" not in json.dumps(answer["body"]) and "identities" not in json.dumps(answer["body"])
    assert mail_to("ada@example.com") == []
    # And once SES takes mail again (the sender verified, the sandbox left), the retry sends at once
    assert subscribe(aws)["status"] == 202
    assert len(mail_to("ada@example.com")) == 1
    # And the once-per-interval limit counts from that accepted message
    assert subscribe(aws)["status"] == 202
    assert len(mail_to("ada@example.com")) == 1


def test_a_refusal_of_another_kind_is_a_502_and_the_retry_sends(aws, fakes):
    fakes(mailer=refusing_mailer(("BadRequestException", "Illegal header")))
    answer = subscribe(aws)
    assert answer["status"] == 502 and answer["body"]["error"]["code"] == "mail_rejected"
    assert "Illegal" not in json.dumps(answer["body"])
    assert subscribe(aws)["status"] == 202 and len(mail_to("ada@example.com")) == 1


def test_an_unexpected_failure_while_sending_releases_the_allowance(aws, fakes):
    # Given a mailer failing in a way nobody planned for
    fakes(mailer=refusing_mailer(RuntimeError("bug in the MIME builder")))
    assert subscribe(aws)["status"] == 500
    # Then the retry sends: the allowance is recorded only once SES has accepted a message
    assert subscribe(aws)["status"] == 202 and len(mail_to("ada@example.com")) == 1


class LambdaCrash(BaseException):
    """The function's process dies mid-send (timeout, out of memory): no except clause runs."""


class CrashingMailer:
    def send(self, raw: bytes) -> str:
        raise LambdaCrash()


def test_a_crash_mid_send_holds_the_claim_only_until_it_expires(aws, fakes):
    started = datetime.now(UTC)
    # Given a request that claimed the confirmation email and died while sending it
    fakes(mailer=CrashingMailer(), clock=lambda: started)
    with pytest.raises(LambdaCrash):
        subscribe(aws)
    # When a request comes while that claim is live, it sends nothing (two requests never both send)
    fakes(clock=lambda: started + timedelta(seconds=1))
    assert subscribe(aws)["status"] == 202 and mail_to("ada@example.com") == []
    # And once the claim has expired (it outlives the function's timeout), the retry sends
    fakes(clock=lambda: started + timedelta(seconds=CONFIRMATION_CLAIM_SECONDS + 1))
    assert subscribe(aws)["status"] == 202 and len(mail_to("ada@example.com")) == 1


def test_the_answer_is_documented(aws):
    from newsdigest.api.routes import openapi_document

    responses = json.loads(openapi_document())["paths"]["/subscriptions"]["post"]["responses"]
    assert {"502", "503"} <= set(responses)
