"""New-post subscriptions: the categories and places a resident follows, and the fan-out."""
