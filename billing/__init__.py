"""Plans, trials and subscriptions (issue: billing)."""
