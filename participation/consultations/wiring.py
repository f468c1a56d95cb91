"""What the consultations module connects when the app is ready: its notification kind and
its sections of a resident's data export."""


def ready() -> None:
    from participation.consultations import conclusion, notices, personal_data

    notices.register_kinds()
    conclusion.register_kinds()  # and its task, for the worker
    personal_data.connect()
