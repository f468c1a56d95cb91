"""A collectivité signs up for a free trial; residents join their town."""
