"""Abuse limits: how often one account, and one client address, may sign, vote or open an account.

Litestar's own rate limiting does the counting (`RateLimitConfig`, a fixed window per identifier
in the app's `rate_limit` store, in memory: each server process counts on its own). A limited
route gets two limits, each a bucket of its own per action: one keyed by the authenticated
account (an anonymous request is left to the route's guard, which refuses it), one by the client
address (set `--proxy-headers`/`--forwarded-allow-ips` on the server behind a proxy, or every
client shares the proxy's address). The numbers come from the settings
(`CIVIC_RATE_LIMIT_PER_ACCOUNT`, `CIVIC_RATE_LIMIT_PER_ADDRESS`), known only when the app is
built, so the middleware reads them from the app's state, where the `RateLimits` plugin puts them.

To limit a route, add one line to its decorator::

    @post("/accounts", middleware=[rate_limited("account")], responses=problems(..., 429))

A refused request is a 429 problem with `Retry-After` (seconds), before the handler runs: it
records nothing.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.config.app import AppConfig
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware, get_remote_address
from litestar.plugins import InitPluginProtocol
from litestar.types import ASGIApp, Receive, Scope, Send

from application.accounts import Principal
from application.settings import RateLimit, Settings

AnyRequest = Request[Any, Any, Any]
STATE_KEY = "civic_rate_limits"


class RateLimited(TooManyRequestsException):
    """A request over one of the limits: 429 with the seconds to wait in `Retry-After`."""


class _Limiter(RateLimitMiddleware):
    """Litestar's counter, refusing with a message that names the limit, and `Retry-After`."""

    def __init__(self, app: ASGIApp, config: RateLimitConfig, refusal: str) -> None:
        super().__init__(app, config)
        self._refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except RateLimited:
            raise  # refused by a limiter further in: its message stands
        except TooManyRequestsException as exc:
            headers = dict(exc.headers or {})
            wait = headers.get(self.config.rate_limit_reset_header_key, "1")
            raise RateLimited(
                detail=f"{self._refusal}: try again in {wait} s",
                headers={**headers, "Retry-After": wait},
            ) from None


def _account(action: str, limit: RateLimit) -> RateLimitConfig:
    def identify(request: AnyRequest) -> str:
        principal = request.scope.get("user")
        assert isinstance(principal, Principal)
        return f"{action}:account:{principal.id}"

    def authenticated(request: AnyRequest) -> bool:
        return request.scope.get("user") is not None

    return RateLimitConfig(
        rate_limit=(limit.period, limit.requests),
        identifier_for_request=identify,
        check_throttle_handler=authenticated,
    )


def _address(action: str, limit: RateLimit) -> RateLimitConfig:
    def identify(request: AnyRequest) -> str:
        return f"{action}:address:{get_remote_address(request)}"

    return RateLimitConfig(
        rate_limit=(limit.period, limit.requests), identifier_for_request=identify
    )


class RateLimits(InitPluginProtocol):
    """The app's limits, from its settings; the plugin puts them in the app's state."""

    def __init__(self, settings: Settings) -> None:
        self.per_account = settings.rate_limit_per_account
        self.per_address = settings.rate_limit_per_address

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        """Make the limits reachable from every limited route of this app."""
        app_config.state[STATE_KEY] = self
        return app_config

    def wrap(self, app: ASGIApp, action: str) -> ASGIApp:
        """`app` behind the per-account limit, then the per-address one.

        The account is checked first, so that one account's refused requests do not use up
        the allowance of the other people behind its address.
        """
        by_address = _address(action, self.per_address)
        by_account = _account(action, self.per_account)
        inner = _Limiter(app, by_address, f"too many {action} requests from this address")
        return _Limiter(inner, by_account, f"too many {action} requests from this account")


class _RateLimitedRoute:
    """The middleware a route gets from `rate_limited`: built once per route and app, it wraps
    the route in the app's limits on its first request (the limits live in the app's state)."""

    def __init__(self, app: ASGIApp, action: str) -> None:
        self._app = app
        self._action = action
        self._limited: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._limited is None:
            limits = scope["litestar_app"].state.get(STATE_KEY)
            if not isinstance(limits, RateLimits):
                raise TypeError("rate-limited routes need the RateLimits plugin on the app")
            self._limited = limits.wrap(self._app, self._action)
        await self._limited(scope, receive, send)


def rate_limited(action: str) -> DefineMiddleware:
    """A route's middleware limiting `action` (e.g. "signature") per account and per address."""
    return DefineMiddleware(_RateLimitedRoute, action=action)
