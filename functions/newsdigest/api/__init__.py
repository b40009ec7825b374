"""HTTP API: Powertools resolvers, routes and the mapping of domain errors to responses."""
