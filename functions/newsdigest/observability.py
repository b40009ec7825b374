"""The one place that creates the Powertools logger and metrics every handler shares.

No Tracer: it imports the X-Ray SDK (~0.2 s of cold start); the template's ``Tracing: Active`` already
records each invocation and its AWS calls at the Lambda level.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()

__all__ = ["MetricUnit", "logger", "metrics"]
