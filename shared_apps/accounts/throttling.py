"""Login throttles, per client IP and per username (within the host's company, or the platform's
public host): the API's login and both admin logins share them, so each username and each IP
has one budget of guesses per host, whichever form they come through.

If Redis is unreachable the throttle lets the request through: a cache outage must not lock
every user out; it is logged instead."""

import logging

import redis
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


def _submitted_username(request) -> str | None:
    """The username of a login attempt: the API's JSON body or the admin's login form."""
    fields = request.data if isinstance(request, Request) else request.POST
    username = fields.get("username") if hasattr(fields, "get") else None
    if not isinstance(username, str) or not username:
        return None
    return username.strip().lower()[:150]


class _FailOpenThrottle(SimpleRateThrottle):
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except redis.RedisError:
            logger.warning("login throttle skipped: cache unavailable")
            return True


class LoginIPThrottle(_FailOpenThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(_FailOpenThrottle):
    scope = "login_username"

    def get_cache_key(self, request, view):
        username = _submitted_username(request)
        if username is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": username}


LOGIN_THROTTLES = (LoginIPThrottle, LoginUsernameThrottle)


def login_attempt_wait(request) -> float | None:
    """Count a login attempt that does not go through DRF (the admin logins): the seconds to
    wait if a budget is spent, else None. As DRF does, every throttle is asked (and counts the
    attempt where it allows it)."""
    waits = []
    for throttle_class in LOGIN_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or throttle.duration)  # None after a rate change
    return max(waits, default=None)
