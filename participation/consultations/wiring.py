"""What the consultations module connects when the app is ready: notification kinds,
moderation, its home page block, personal data."""


def ready() -> None:
    pass
