"""What the consultations module connects when the app is ready: its notification kinds."""


def ready() -> None:
    from participation.consultations import notices

    notices.register_kinds()
