"""Confirm/unsubscribe tokens: signed, purpose-bound, tied to one subscriber."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from newsdigest.errors import InvalidToken
from newsdigest.signing import SigningKeys
from newsdigest.subscriptions.links import issue_token, verify_token
from newsdigest.subscriptions.models import subscriber_id

SECRET = "test-secret"
ADA = subscriber_id("ada@example.com")


def test_a_token_names_its_subscriber():
    token = issue_token("unsubscribe", ADA, SECRET)
    assert verify_token(token, "unsubscribe", SECRET, now=0) == ADA


def test_confirm_and_unsubscribe_tokens_are_not_interchangeable():
    with pytest.raises(InvalidToken):
        verify_token(issue_token("confirm", ADA, SECRET), "unsubscribe", SECRET, now=0)
    with pytest.raises(InvalidToken):
        verify_token(issue_token("unsubscribe", ADA, SECRET), "confirm", SECRET, now=0)


def test_a_token_for_one_address_cannot_be_edited_into_another():
    _, sig = issue_token("unsubscribe", ADA, SECRET).split(".")
    bob = issue_token("unsubscribe", subscriber_id("bob@example.com"), SECRET).split(".")[0]
    with pytest.raises(InvalidToken):
        verify_token(f"{bob}.{sig}", "unsubscribe", SECRET, now=0)


def test_another_secret_or_an_expired_token_is_refused():
    with pytest.raises(InvalidToken):
        verify_token(issue_token("unsubscribe", ADA, "other"), "unsubscribe", SECRET, now=0)
    token = issue_token("confirm", ADA, SECRET, expires_at=100)
    assert verify_token(token, "confirm", SECRET, now=100) == ADA
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(token, "confirm", SECRET, now=101)


def test_after_a_rotation_the_previous_key_verifies_and_new_tokens_use_the_current():
    old, new = "key-before-rotation", "key-after-rotation"
    rotated = SigningKeys(current=new, previous=old)
    before = issue_token("unsubscribe", ADA, old)
    assert verify_token(before, "unsubscribe", rotated, now=0) == ADA  # the grace period
    after = issue_token("unsubscribe", ADA, rotated)
    assert verify_token(after, "unsubscribe", new, now=0) == ADA
    with pytest.raises(InvalidToken):
        verify_token(after, "unsubscribe", old, now=0)  # signed with the current key, not the previous
    with pytest.raises(InvalidToken):  # the next rotation ends the grace
        verify_token(before, "unsubscribe", SigningKeys(current="third", previous=new), now=0)


def test_an_empty_key_is_no_key():
    with pytest.raises(ValueError):
        SigningKeys("")


def test_the_same_address_always_has_the_same_subscriber_id():
    assert subscriber_id("ada@example.com") == ADA != subscriber_id("ada@example.org")


@given(st.text(max_size=600))
def test_arbitrary_strings_are_refused_not_crashing(text):
    with pytest.raises(InvalidToken):
        verify_token(text, "unsubscribe", SECRET, now=0)
