"""Mutual aid exchanges that need more than a conversation: loans, carpools, group purchases."""
