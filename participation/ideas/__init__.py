"""The idea box: residents propose, support and debate; the town answers officially."""
