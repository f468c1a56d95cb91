"""Participation's API (consultations and the idea box) under /api/v1/."""
