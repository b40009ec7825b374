"""IngestFunction: the write routes (POST /articles, POST /articles/batch, DELETE /articles/{id})."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest import wiring
from newsdigest.api.app import build_resolver
from newsdigest.api.routes import write_routers
from newsdigest.observability import count_response, logger, metrics

app = build_resolver(*write_routers(), settings=wiring.services.settings)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return count_response(app.resolve(event, context))
