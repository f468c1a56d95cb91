"""Mutual aid: writing posts (create, edit, close, renew, delete), their photos and expiry."""
