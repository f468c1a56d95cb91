"""Mutual aid (entraide): offers, requests, private conversations."""
