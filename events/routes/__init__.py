"""Events API, one module per resource; `api` holds the endpoints of them all, in this order."""

from __future__ import annotations

from events.routes import access_log, agenda, checkin, events, mail, privacy, registrations, tickets
from server.api import Api

MODULES = (events, agenda, tickets, registrations, privacy, checkin, mail, access_log)
api = Api()
api.endpoints = [endpoint for module in MODULES for endpoint in module.api.endpoints]
