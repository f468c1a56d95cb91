"""The API on a town's site: its documentation page and its OpenAPI schema."""
