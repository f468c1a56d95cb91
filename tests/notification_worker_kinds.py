"""The test notification kinds, registered when a real test worker imports this (`--include`)."""

from notifications import kinds
from tests.notification_fixtures import TEST_KINDS

for kind in TEST_KINDS:
    kinds.register(kind)
