"""What the web pages add to the app: their routes, the static files, the template engine."""

from __future__ import annotations

from pathlib import Path

from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from interfaces.web.audit import AuditPages
from interfaces.web.charters import CharterPages
from interfaces.web.committees import CommitteePages
from interfaces.web.consultations import ConsultationPages
from interfaces.web.lodging import LodgingPages
from interfaces.web.pages import PetitionPages
from interfaces.web.register import RegistrationPages
from interfaces.web.rendering import template_config
from interfaces.web.sign_in import SessionPages
from interfaces.web.votes import VotePages

STATIC = Path(__file__).parent / "static"
__all__ = ["template_config", "web_handlers"]


def web_handlers() -> list[ControllerRouterHandler]:
    """The pages' controllers and `/static` (the style sheet), all outside the API's document."""
    return [
        PetitionPages,
        SessionPages,
        ConsultationPages,
        LodgingPages,
        RegistrationPages,
        CommitteePages,
        CharterPages,
        AuditPages,
        VotePages,
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
    ]
