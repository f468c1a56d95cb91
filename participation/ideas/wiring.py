"""What the ideas module connects when the app is ready: its notification kind and its
kinds of content in the moderation queue, the resident's export and what their account's
deletion changes."""


def ready() -> None:
    from notifications.kinds import register
    from participation.ideas import kinds, moderation, personal_data

    register(kinds.ANSWER)
    moderation.register()
    personal_data.connect()
