"""The local stack: template.yaml brought up on moto's server, with API Gateway and the DynamoDB stream
event source emulated in-process for the very same handlers. Infrastructure, not product code: nothing
under functions/ imports it."""
