from newsdigest.articles.ids import ID_LENGTH, article_id, canonical_url, content_hash


def test_canonical_url_drops_what_does_not_identify_the_article():
    # Given the same article reached through a campaign link, with a fragment and odd casing
    messy = "HTTP://WWW.Example.com:80/news/story/?utm_source=x&b=2&a=1&fbclid=abc#comments"
    # Then it canonicalises to the plain address, query sorted
    assert canonical_url(messy) == "https://example.com/news/story?a=1&b=2"


def test_canonical_url_keeps_meaningful_parts():
    assert canonical_url("https://example.com:8443/a?id=7") == "https://example.com:8443/a?id=7"
    assert canonical_url("https://example.com/") == "https://example.com/"


def test_article_id_is_stable_across_url_variants():
    a = article_id(url="https://example.com/a?utm_medium=email", title="T", body="B")
    b = article_id(url="http://www.example.com/a/", title="Other title", body="Other body")
    assert a == b
    assert len(a) == ID_LENGTH and all(c in "0123456789abcdef" for c in a)


def test_article_id_without_url_follows_the_content():
    one = article_id(url=None, title="Title", body="Body  text\n")
    assert one == article_id(url=None, title=" Title", body="Body text")  # whitespace does not matter
    assert one != article_id(url=None, title="Title", body="Body text, changed")
    assert one != article_id(url="https://example.com/x", title="Title", body="Body text")


def test_content_hash_changes_with_any_field():
    base = {"title": "t", "body": "b", "source": None}
    assert content_hash(base) == content_hash(dict(base))
    assert content_hash(base) != content_hash({**base, "source": "wire"})
