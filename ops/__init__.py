"""The ops console: our staff's view of every collectivité, on the root domain at /ops/."""
