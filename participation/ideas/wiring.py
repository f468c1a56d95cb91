"""What the ideas module connects when the app is ready: its notification kind and its
kinds of content in the moderation queue."""


def ready() -> None:
    from notifications.kinds import register
    from participation.ideas import kinds, moderation

    register(kinds.ANSWER)
    moderation.register()
