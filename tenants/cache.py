"""What a failing Redis means for each cache read: the one policy, said here and in each caller.

- The default cache (`django.core.cache.cache`) fails soft, through django-redis'
  IGNORE_EXCEPTIONS: while Redis does not answer, it behaves as an empty cache that forgets
  what it is told (a read is a miss, a write is dropped, `add` succeeds), and logs each failure.
  It serves what can be recomputed from the database (the town's look) and allauth, whose rate
  limits then let every attempt through: an outage must not lock every resident out.
- The strict alias (`caches[STRICT]`, same Redis, same keys) raises redis' own errors, for code
  that decides what a failure means where it reads: the host map (reads the database instead,
  tenants.directory) and our rate limits (each caller says whether it fails open or closed,
  accounts.ratelimit).

Both keep django-tenants' key function: every key carries the schema of the connection.
"""

from __future__ import annotations

from typing import Any

from django_redis.cache import RedisCache, omit_exception

STRICT = "strict"


class FailSoftRedisCache(RedisCache):
    """django-redis with IGNORE_EXCEPTIONS, where a failed `add` answers as an empty cache would.

    django-redis answers None to an `add` it could not make, which callers read as "the key was
    there": allauth's rate-limit lock would then wait a second and refuse every sign-in.
    """

    @omit_exception(return_value=True)
    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self.client.add(*args, **kwargs)
