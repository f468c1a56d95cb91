"""The project settings as the test suite runs them (DJANGO_ENV=test)."""

import os

os.environ["DJANGO_ENV"] = "test"

from config.settings import *  # noqa: E402,F403
