"""The ideas module's models."""

__all__: list[str] = []
