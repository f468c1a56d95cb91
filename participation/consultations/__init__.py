"""Consultations: the town asks, residents answer, the town publishes results and concludes."""
