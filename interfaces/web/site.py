"""What the web pages add to the app: their routes, the static files, the template engine."""

from __future__ import annotations

from pathlib import Path

from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from interfaces.web.pages import PetitionPages
from interfaces.web.rendering import template_config
from interfaces.web.sign_in import SessionPages

STATIC = Path(__file__).parent / "static"
__all__ = ["template_config", "web_handlers"]


def web_handlers() -> list[ControllerRouterHandler]:
    """The pages' controllers and `/static` (the style sheet), all outside the API's document."""
    return [
        PetitionPages,
        SessionPages,
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
    ]
