"""Mutual aid: the private conversations about a post, and help marked given."""
