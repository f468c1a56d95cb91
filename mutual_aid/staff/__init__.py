"""The town staff pages of mutual aid: categories, help lines, the sensitive-posts switch."""
