"""One notification mechanism for the whole town site: in-site list, email preferences, digests."""
