"""The participation app's models live with their module (consultations, ideas): gathered here
so that Django finds them."""

from participation.consultations.models import *  # noqa: F403
from participation.ideas.models import *  # noqa: F403
