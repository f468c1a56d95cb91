"""What the consultations module connects when the app is ready: its notification kind and
its sections of a resident's data export."""


def ready() -> None:
    from participation.consultations import notices, personal_data, tasks

    del tasks  # imported to register its tasks with Celery (autodiscovery finds only app.tasks)

    notices.register_kinds()
    personal_data.connect()
