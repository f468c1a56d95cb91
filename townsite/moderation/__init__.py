"""Site-wide moderation: reports, the queue, hiding content, suspensions, verified residents."""
