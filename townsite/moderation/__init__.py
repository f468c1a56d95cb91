"""Site-wide moderation: reports, the moderators' queue and log, suspension, blocking."""
