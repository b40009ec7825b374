"""The signing keys, from Secrets Manager at run time (Powertools Parameters, cached for a few minutes).

Nothing is read at import (SnapStart-safe: a snapshot holds no key); the first token signed or verified reads
the secret. The key is never in the function's environment. In Lambda a missing secret fails closed; outside
Lambda (unit tests, tools) with no secret configured, the process makes up a random key of its own.

Rotation: Secrets Manager keeps the version before the current one under the AWSPREVIOUS label. Tokens and
cursors signed with it still verify (``SigningKeys.previous``) until the next rotation moves the label on:
that is the grace period. A warm function sees a rotation within ``max_age`` seconds.
"""

from __future__ import annotations

import secrets
import time

from aws_lambda_powertools.utilities.parameters import GetParameterError, SecretsProvider, get_secret

from newsdigest.errors import MissingConfiguration
from newsdigest.signing import SigningKeys


class SecretSigningKeys:
    def __init__(self, secret_arn: str, *, in_lambda: bool, max_age: int) -> None:
        self.secret_arn = secret_arn
        self.in_lambda = in_lambda
        self.max_age = max_age
        # Powertools caches by name only: the previous version needs a provider (a cache) of its own.
        self._previous_provider: SecretsProvider | None = None
        self._previous: tuple[float, str | None] | None = None  # (read at, value): absence is cached too
        self._ephemeral: str | None = None

    def keys(self) -> SigningKeys:
        if not self.secret_arn:
            if self.in_lambda:
                raise MissingConfiguration(
                    "NEWSDIGEST_SIGNING_SECRET_ARN is not set: refusing to sign or verify without the secret"
                )
            if self._ephemeral is None:
                self._ephemeral = secrets.token_urlsafe(32)
            return SigningKeys(self._ephemeral)
        try:
            current = get_secret(self.secret_arn, max_age=self.max_age)
        except GetParameterError as exc:
            raise MissingConfiguration(f"cannot read the signing secret: {exc}") from exc
        if not isinstance(current, str) or not current:
            raise MissingConfiguration("the signing secret is empty or not a string")
        return SigningKeys(current, self._read_previous())

    def _read_previous(self) -> str | None:
        now = time.monotonic()
        if self._previous is not None and now - self._previous[0] < self.max_age:
            return self._previous[1]
        if self._previous_provider is None:
            self._previous_provider = SecretsProvider()
        try:
            value = self._previous_provider.get(
                self.secret_arn, max_age=self.max_age, VersionStage="AWSPREVIOUS"
            )
        except GetParameterError:
            value = None  # never rotated: there is no previous version
        previous = value if isinstance(value, str) and value else None
        self._previous = (now, previous)
        return previous
