"""The town staff's dashboard of the idea box: how long ideas wait for the town's answer."""
