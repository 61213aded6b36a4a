"""The composition root: the one place that assembles every package's routes into the application."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.exceptions import ValidationError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from events import mailing, privacy
from events.calendar_routes import api as calendar_api
from events.calendar_routes import cal
from events.competitions import privacy as competition_privacy  # noqa: F401  (registers the competition sections)
from events.competitions.judging_routes import api as judging_api
from events.competitions.routes import api as competitions_api
from events.matchmaking import followup
from events.matchmaking.agenda_routes import api as agenda_api
from events.matchmaking.meeting_routes import api as meetings_api
from events.matchmaking.pool_routes import api as pool_api
from events.matchmaking.schedule_routes import api as schedules_api
from events.models import IdempotencyRecord
from events.registration import expire_offers
from events.routes import api as events_api
from notifications.routes import api as mail_api
from notifications.sms_worker import sms_worker
from notifications.transport import transport_for
from notifications.worker import Worker
from server import markdown, openapi, retention
from server.api import Endpoint, error_locale
from server.db import tortoise_config
from server.errors import DomainError, InternalError, InvalidInput, MethodNotAllowed, NotFound, problem_response
from server.jobs import every, once_an_hour
from server.metrics import metrics_endpoint
from server.middleware import BodySizeLimit, SecurityHeaders
from server.models import AuthToken, RateLimitBucket
from server.observe import Observe
from server.ratelimit import Throttle
from server.routes import api, health
from server.settings import Settings, get_settings
from talent import mailing as talent_mailing
from talent.routes import api as talent_api

log = logging.getLogger("quancheng")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
APIS = (
    health,
    api,
    events_api,
    pool_api,
    meetings_api,
    schedules_api,
    agenda_api,
    calendar_api,
    cal,
    competitions_api,
    judging_api,
    mail_api,
    talent_api,
)
ENDPOINTS: list[Endpoint] = [endpoint for each in APIS for endpoint in each.endpoints]
RETENTION = (
    retention.Rule(RateLimitBucket, "window_start", timedelta(days=1)),  # the longest window is 15 minutes
    retention.Rule(AuthToken, "expires_at", timedelta(days=30)),
    retention.Rule(AuthToken, "revoked_at", timedelta(days=30)),
    retention.Rule(IdempotencyRecord, "created_at", timedelta(days=7)),  # retries come within minutes
)


ACCOUNT_PAGES = ("/login", "/signup", "/me", "/invitations", "/verify", "/reset")


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Starlette:
    """Build the ASGI app. With `manage_database` the lifespan opens and closes the Tortoise connections."""
    settings = settings or get_settings()
    mailing.configure(settings)
    markdown.allow_image_hosts(settings.image_hosts)
    spec = openapi.document(ENDPOINTS, version=version("quancheng"))

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(spec)

    async def api_docs(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "api-docs.html")

    async def page(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html")  # the web UI routes by path (the links in mails)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        async with RegisterTortoise(app, config=tortoise_config(settings.DATABASE_URL)):
            # Everything loaded by now (modules, the app, its routes) lives as long as the process: frozen, it is
            # left out of every later garbage collection, whose pauses then scan only what requests allocate.
            gc.collect()
            gc.freeze()
            stop = asyncio.Event()
            with_worker = settings.WORKER == "on" or (settings.WORKER == "auto" and settings.is_embedded)
            jobs = asyncio.create_task(background(settings, stop, with_worker=with_worker))
            try:
                yield
            finally:
                stop.set()
                await jobs

    routes: list[BaseRoute] = [
        *(route for hot in (True, False) for each in APIS for route in each.routes(hot=hot)),
        Route("/api/v1/openapi.json", openapi_json, methods=["GET"]),
        Route("/api/docs", api_docs, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/", page, methods=["GET"]),
        *(
            Route(path, page, methods=["GET"])
            for path in ("/login", "/signup", "/me", "/invitations", "/verify", "/reset")
        ),
        Route("/events/{event_id:int}", page, methods=["GET"]),
        Route("/events/{event_id:int}/door", page, methods=["GET"]),
        Route("/events/{event_id:int}/competition", page, methods=["GET"]),
        Route("/teams/{team_id:int}/stages/{stage_id:int}", page, methods=["GET"]),
        Route("/events/{event_id:int}/matchmaking", page, methods=["GET"]),
        *(
            Route(path, page, methods=["GET"])
            for path in ("/pool", "/pool/new", "/pool/{entry_id:int}", "/pool/{entry_id:int}/edit")
        ),
        Route("/registrations/{registration_id:uuid}", page, methods=["GET"]),
        Route("/console{rest:path}", page, methods=["GET"]),
        Route("/talent{rest:path}", page, methods=["GET"]),
        Route("/judging{rest:path}", page, methods=["GET"]),
        Route("/matchmaking{rest:path}", page, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            # Outermost: the client address every layer below sees (rate limits, access log) is the real one.
            *(
                [Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.TRUSTED_PROXIES)]
                if settings.TRUSTED_PROXIES
                else []
            ),
            Middleware(Observe, routes=routes),
            Middleware(SecurityHeaders, image_hosts=settings.image_hosts, https=settings.BASE_URL.startswith("https:")),
            Middleware(BodySizeLimit, limit=settings.MAX_BODY_BYTES, routes=routes),
        ],
        exception_handlers={
            DomainError: _domain_error,
            HTTPException: _http_error,
            ValidationError: _unstorable,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Per process, off the database: see docs/architecture.md#abuse-limits.
    app.state.registration_throttle = (
        Throttle(settings.REGISTRATION_LIMIT_PER_CLIENT, timedelta(seconds=settings.REGISTRATION_LIMIT_WINDOW))
        if settings.REGISTRATION_LIMIT_PER_CLIENT
        else None
    )
    return app


async def background(settings: Settings, stop: asyncio.Event, *, with_worker: bool) -> None:
    """The periodic jobs (lapsed offers, due reminders, purging old rows and expired personal data) and, if
    asked, the mail worker, until `stop` is set. The worker finishes the batch it is sending before this returns.
    """
    periodic = [
        asyncio.create_task(every(settings.SWEEP_SECONDS, expire_offers)),
        asyncio.create_task(every(60, mailing.send_due_reminders)),
        asyncio.create_task(
            every(60, once_an_hour("report_reminders", lambda: talent_mailing.send_report_reminders(settings.BASE_URL)))
        ),
        asyncio.create_task(every(60, once_an_hour("retention", retain))),
        asyncio.create_task(every(60, once_an_hour("matchmaking_follow_up", followup.send_outcome_requests))),
    ]
    if with_worker:
        transport = transport_for(settings.SMTP_URL, settings.MAIL_DIR, settings.SMTP_CA_FILE)
        mail = Worker(
            transport,
            sender=settings.MAIL_FROM,
            sender_name=settings.MAIL_FROM_NAME,
            lease=timedelta(seconds=settings.MAIL_LEASE_SECONDS),
        )
        await asyncio.gather(mail.run(stop), sms_worker(settings).run(stop))
    else:
        await stop.wait()
    for job in periodic:
        job.cancel()
    await asyncio.gather(*periodic, return_exceptions=True)


async def retain() -> None:
    """The hourly retention job: purge what only mattered for a while, then anonymise the registrants of events
    ended longer ago than their retention period (docs/architecture.md#personal-data)."""
    await retention.purge(RETENTION)
    await privacy.anonymise_expired()


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return problem_response(exc, error_locale(request))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and _wants_page(request):
        return FileResponse(STATIC_DIR / "index.html", status_code=404)  # the web UI shows its not-found view
    error: DomainError = MethodNotAllowed() if exc.status_code == 405 else NotFound()
    response = problem_response(error, error_locale(request))
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, a calendar feed or a static file) gets the web UI's frame."""
    machine = request.url.path.startswith(("/api/", "/static/", "/cal/"))
    return request.method == "GET" and not machine and "text/html" in request.headers.get("accept", "")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of this path takes (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


async def _unstorable(request: Request, exc: Exception) -> Response:
    """The safety net under `server.fields`: a value a column cannot hold (Tortoise checks filters and writes
    against the field's length and range) is bad input, not a server fault."""
    log.warning("value refused by the model on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(InvalidInput("error.value_unstorable"), error_locale(request))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(InternalError(), error_locale(request))
