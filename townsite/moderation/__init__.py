"""Site-wide moderation: reports, the queue and its log, hiding content, suspension, blocking,
verified residents."""
