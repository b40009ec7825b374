import pytest
from newsdigest.articles.catalog import decode_cursor, encode_cursor
from newsdigest.errors import InvalidCursor

SECRET = "unit-test-secret"


def test_cursor_round_trips():
    position = {"scope": "2026-11-28", "key": {"id": "abc", "feed": "articles", "ingested_key": "x#abc"}}
    assert decode_cursor(encode_cursor(position, SECRET), SECRET) == position


@pytest.mark.parametrize("bad", ["", "x", "!!!!", "A" * 40, "e30", "%00%00"])
def test_garbage_cursors_are_refused(bad):
    with pytest.raises(InvalidCursor):
        decode_cursor(bad, SECRET)


def test_a_tampered_cursor_is_refused():
    cursor = encode_cursor({"scope": None, "key": {"id": "a"}}, SECRET)
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    with pytest.raises(InvalidCursor):
        decode_cursor(flipped, SECRET)


def test_a_cursor_signed_with_another_key_is_refused():
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor({"key": {"id": "a"}}, "other-secret"), SECRET)


def test_an_overlong_cursor_is_refused_before_decoding():
    with pytest.raises(InvalidCursor, match="too long"):
        decode_cursor("A" * 5000, SECRET)
