"""Collectivités as tenants: one PostgreSQL schema and one subdomain each; the directory of communes."""
