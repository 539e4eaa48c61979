"""The API described as OpenAPI 3.1, generated from the routes and their declared schemas."""
