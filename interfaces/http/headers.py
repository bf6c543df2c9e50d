"""Security headers on every response: the API's, its errors, and the pages to come.

A `before_send` hook of the app, because Litestar calls those for every message the app sends,
including the responses of its router (unknown path, 404) and exception handlers, which its
`response_headers` and route middleware never see.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# Pages are served by this app only; nothing may frame them (clickjacking).
CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'"
# The API reference (`/schema`) is drawn by a script from a CDN with an inline configuration.
API_REFERENCE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://cdn.jsdelivr.net; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'"
)
API_REFERENCE_PATH = "/schema"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}


def _policy(scope: Scope) -> str:
    path = str(scope.get("path", ""))
    if path == API_REFERENCE_PATH or path.startswith(f"{API_REFERENCE_PATH}/"):
        return API_REFERENCE_POLICY
    return CONTENT_SECURITY_POLICY


def security_headers(message: Message, scope: Scope) -> None:
    """Add the security headers to an HTTP response's start, keeping any the route set itself."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in {**SECURITY_HEADERS, "content-security-policy": _policy(scope)}.items():
        if name not in headers:
            headers[name] = value
