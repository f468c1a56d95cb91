"""Residents join: sign-up profile, assisted sign-up at the desk, data export and deletion."""
