"""The composition root: `create_app(settings)` wires the application layer into Litestar."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from application.accounts import prepare_sign_in
from application.settings import Settings
from application.system import CivicLedger
from interfaces.http.accounts import AccountController, SessionController
from interfaces.http.audit import AuditController
from interfaces.http.charters import CharterController
from interfaces.http.committees import CommitteeController, DecisionController, MeetingController
from interfaces.http.consultations import ConsultationController
from interfaces.http.context import RequestContext, refuse_bad_credentials
from interfaces.http.headers import security_headers
from interfaces.http.idempotency import Idempotency, document_idempotency
from interfaces.http.limits import RateLimits
from interfaces.http.openapi import PUBLIC, StrictStructs, problems
from interfaces.http.opendata import open_data_router
from interfaces.http.organisations import OrganisationController
from interfaces.http.petitions import PetitionController
from interfaces.http.preconditions import (
    Preconditions,
    document_operations,
    document_preconditions,
)
from interfaces.http.problems import internal_error, problem_details_plugin
from interfaces.http.sessions import CSRFRefused, csrf_middleware
from interfaces.http.stream import AuditStreamController, streams_end_on_exit
from interfaces.http.territories import TerritoryController
from interfaces.http.transparency import TransparencyController
from interfaces.http.votes import VoteController
from interfaces.web.csrf import csrf_refused
from interfaces.web.site import template_config, web_handlers

DEADLINE_SWEEP_SECONDS = 30.0
CHECKPOINT_SECONDS = 1.0
MAX_BODY_BYTES = 256 * 1024
log = logging.getLogger("civic.http")


@get("/health", tags=["service"], sync_to_thread=False, security=PUBLIC, responses=problems())
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


def _sweep_deadlines(civic: CivicLedger, stop: threading.Event, every: float) -> None:
    """Close petitions whose deadline passed, open and close votes on their schedule, at start
    and then every `every` seconds."""
    while True:
        try:
            civic.petitions.close_expired()
        except Exception:
            log.exception("closing expired petitions failed; will try again")
        try:
            civic.votes.run_schedule()
        except Exception:
            log.exception("opening or closing votes on schedule failed; will try again")
        if stop.wait(every):
            return


def _issue_checkpoints(civic: CivicLedger, stop: threading.Event, every: float) -> None:
    """Sign a checkpoint of the log every `every` seconds when it has grown, and a last one."""
    while True:
        stopping = stop.wait(every)
        try:
            civic.transparency.issue_checkpoint()
        except Exception:
            log.exception("signing a checkpoint failed; will try again")
        if stopping:
            return


def create_app(
    settings: Settings | None = None,
    *,
    civic: CivicLedger | None = None,
    deadline_sweep_seconds: float = DEADLINE_SWEEP_SECONDS,
    checkpoint_seconds: float = CHECKPOINT_SECONDS,
) -> Litestar:
    """Build the HTTP app on `settings` (from the environment by default)."""
    ledger = civic or CivicLedger(settings or Settings.from_env())

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        stop = threading.Event()
        sweeper = threading.Thread(
            target=_sweep_deadlines,
            args=(ledger, stop, deadline_sweep_seconds),
            name="deadline-sweeper",
            daemon=True,
        )
        checkpointer = threading.Thread(
            target=_issue_checkpoints,
            args=(ledger, stop, checkpoint_seconds),
            name="checkpointer",
            daemon=True,
        )
        sweeper.start()
        checkpointer.start()
        prepare_sign_in()
        try:
            yield
        finally:
            stop.set()
            sweeper.join()
            checkpointer.join()
            ledger.close()

    return Litestar(
        route_handlers=[
            AccountController,
            SessionController,
            PetitionController,
            VoteController,
            CommitteeController,
            MeetingController,
            DecisionController,
            CharterController,
            ConsultationController,
            TerritoryController,
            OrganisationController,
            AuditController,
            AuditStreamController,
            TransparencyController,
            open_data_router,
            health,
            *web_handlers(),
        ],
        template_config=template_config(),
        dependencies={"civic": Provide(lambda: ledger, sync_to_thread=False)},
        state=State({"civic": ledger}),  # for guards that look up who may act on a resource
        middleware=[
            RequestContext(ledger),
            csrf_middleware(ledger.web_secret),
            Idempotency(ledger),
            Preconditions(),
        ],
        on_startup=[
            partial(document_operations, hooks=[document_idempotency, document_preconditions])
        ],
        guards=[refuse_bad_credentials],
        plugins=[problem_details_plugin(), RateLimits(ledger.settings), StrictStructs()],
        before_send=[security_headers],
        exception_handlers={Exception: internal_error, CSRFRefused: csrf_refused},
        lifespan=[lifespan, streams_end_on_exit],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="civic-ledger",
            version="0.1.0",
            description="Petitions and their audit trail; every act is an immutable event.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="token")
                }
            ),
            security=[{"bearer": []}],
        ),
    )
