from newsdigest.validation import error_details, field_path, summary_message


def test_field_path_strips_the_location_prefix():
    assert field_path(("body", "title")) == "title"
    assert field_path(("body", "articles", 3, "url")) == "articles.3.url"
    assert field_path(("query", "limit")) == "limit"
    assert field_path(("body",)) == "body"


def test_summary_message_names_every_field_up_to_five():
    details = error_details(
        [{"loc": ("body", f"f{i}"), "type": "missing", "msg": "Field required"} for i in range(7)]
    )
    message = summary_message(details)
    assert "f0: Field required" in message and "f4" in message and "f5" not in message
    assert message.endswith("(and 2 more)")
