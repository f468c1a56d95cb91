"""The API's shared machinery: residents' keys, authentication, limits, pages, errors."""
