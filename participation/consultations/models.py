"""The consultations module's models."""

__all__: list[str] = []
