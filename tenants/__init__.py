"""Collectivités as tenants (one schema and one subdomain each) and the directory of communes."""
