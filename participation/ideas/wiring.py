"""What the ideas module connects when the app is ready: its notification kind and its
kinds of content in the moderation queue, the resident's export and what their account's
deletion changes, its block on the town's home page, what makes its shared list stale."""


def ready() -> None:
    from notifications.kinds import register
    from participation.ideas import home, kinds, list_cache, moderation, personal_data
    from townsite.home_blocks import register as register_home_block

    register(kinds.ANSWER)
    moderation.register()
    personal_data.connect()
    register_home_block("ideas", home.build)
    list_cache.connect()
