"""What the consultations module connects when the app is ready: its notification kind, its
sections of a resident's data export, its block on the town's home page, and its tasks."""


def ready() -> None:
    from participation.consultations import conclusion, home, notices, personal_data, tasks
    from townsite.home_blocks import register as register_home_block

    del tasks  # imported to register its tasks with Celery (autodiscovery finds only app.tasks)

    notices.register_kinds()
    conclusion.register_kinds()  # and its task, for the worker
    personal_data.connect()
    register_home_block("consultations", home.build)
