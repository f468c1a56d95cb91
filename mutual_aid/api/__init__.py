"""Mutual aid's part of the public API (/api/v1/): posts, categories, conversations, reports."""
