"""The local stack reads template.yaml; these pin what it must understand of it."""

import json

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


def test_a_literal_path_wins_over_a_path_parameter_as_in_api_gateway():
    routes = Template.load().routes
    # /articles/batch is its own resource: only its methods, never those of /articles/{article_id}
    route, _, allowed = match_route(routes, "OPTIONS", "/articles/batch")
    assert route is None and allowed == ["POST"]
    route, _, allowed = match_route(routes, "GET", "/articles/batch")
    assert route is None and allowed == ["POST"]


def test_the_whole_path_must_match_a_trailing_newline_is_not_the_end():
    routes = Template.load().routes
    route, params, _ = match_route(routes, "GET", "/articles\n")
    assert route is None and params == {}
    # %0a is an ordinary character of a path parameter, handed over decoded
    route, params, _ = match_route(routes, "GET", "/articles/%0a")
    assert route is not None and route.path == "/articles/{article_id}" and params == {"article_id": "\n"}


def test_a_path_parameter_is_one_non_empty_segment():
    routes = Template.load().routes
    assert match_route(routes, "GET", "/articles//digest")[0] is None
    route, params, _ = match_route(routes, "GET", "/articles/a%2Fb")  # an encoded slash stays inside
    assert route is not None and route.path == "/articles/{article_id}" and params == {"article_id": "a/b"}
    assert match_route(routes, "GET", "/articles/a/b")[0] is None


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
    # The function gets where the key is, never the key (it reads the secret at run time).
    assert env["NEWSDIGEST_SIGNING_SECRET_ARN"] == "arn:secret:s1"
    assert "s3cr3t" not in json.dumps(env)
    dynamic_reference = {"Fn::Sub": "{{resolve:secretsmanager:${SigningSecret}:SecretString}}"}
    assert resolver.resolve(dynamic_reference) == "s3cr3t"
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


def test_the_event_path_stays_percent_encoded_and_the_parameters_arrive_decoded():
    route, params, _ = match_route(Template.load().routes, "GET", "/articles/a%20b")
    event = build_event("GET", "/articles/a%20b", [], None, route, params)
    assert event["path"] == "/articles/a%20b" and event["pathParameters"] == {"article_id": "a b"}
