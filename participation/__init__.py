"""Consultations and the idea box."""
