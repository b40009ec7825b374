"""The local stack reads template.yaml; these pin what it must understand of it."""

from newsdigest_local.apigw import build_event, match_route
from newsdigest_local.template import Resolver, Template


def test_routes_are_matched_most_specific_first():
    routes = Template.load().routes
    route, params, _ = match_route(routes, "POST", "/articles/batch")
    assert route is not None and route.function == "IngestFunction" and params == {}
    route, params, _ = match_route(routes, "GET", "/articles/abc/digest")
    assert (
        route is not None
        and route.path == "/articles/{article_id}/digest"
        and params == {"article_id": "abc"}
    )


def test_unknown_method_on_a_known_path_reports_the_allowed_ones():
    route, _, allowed = match_route(Template.load().routes, "PUT", "/articles")
    assert route is None and allowed == ["GET", "POST"]


def test_resolver_handles_intrinsics_and_secret_references():
    template = Template.load()
    resolver = Resolver(
        template,
        attributes={("ArticlesTable", "Arn"): "arn:table"},
        refs={"ArticlesTable": "local-articles", "SigningSecret": "arn:secret:s1"},
        secrets={"arn:secret:s1": "s3cr3t"},
    )
    env = resolver.function_environment(template.functions["ApiFunction"])
    assert env["ARTICLES_TABLE"] == "local-articles"
    assert env["NEWSDIGEST_SIGNING_SECRET"] == "s3cr3t"
    assert env["NEWSDIGEST_DIGEST_SENTENCES"] == "3"
    assert resolver.resolve({"Fn::Sub": "${ArticlesTable.Arn}/index/x"}) == "arn:table/index/x"


def test_http_request_becomes_an_api_gateway_proxy_event():
    route, params, _ = match_route(Template.load().routes, "GET", "/articles/abc")
    event = build_event(
        "GET", "/articles/abc?limit=5&limit=7", [("Accept", "application/json")], None, route, params
    )
    assert event["resource"] == "/articles/{article_id}" and event["pathParameters"] == {"article_id": "abc"}
    assert event["queryStringParameters"] == {"limit": "7"}
    assert event["multiValueQueryStringParameters"] == {"limit": ["5", "7"]}
    assert event["requestContext"]["httpMethod"] == "GET" and event["body"] is None


def test_non_utf8_bodies_travel_base64_encoded():
    event = build_event("POST", "/articles", [], b"\xff\xfe", None, None)
    assert event["isBase64Encoded"] is True and event["body"] == "//4="
