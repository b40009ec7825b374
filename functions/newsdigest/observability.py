"""The one place that creates the Powertools logger and metrics every handler shares.

Every handler wears the same stack, in this order (tests/unit/test_handlers.py holds them to it)::

    @logger.inject_lambda_context(...)   # correlation id path for API events
    @metrics.log_metrics
    def lambda_handler(event, context): ...

No Tracer: it imports the X-Ray SDK (~0.2 s of cold start); the template's ``Tracing: Active`` already
records each invocation and its AWS calls at the Lambda level.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()

__all__ = ["MetricUnit", "count_response", "logger", "metrics"]


def count_response(response: dict) -> dict:
    """Count an API response by status class (Http2xx, Http4xx, Http5xx): the API functions' own metric."""
    metrics.add_metric(name=f"Http{int(response['statusCode']) // 100}xx", unit=MetricUnit.Count, value=1)
    return response
