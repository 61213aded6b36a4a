"""Events API, one module per resource; `api` holds the endpoints of them all, in this order."""

from __future__ import annotations

from events.routes import agenda, checkin, events, mail, registrations, tickets
from server.api import Api

api = Api()
api.endpoints = [
    endpoint for module in (events, agenda, tickets, registrations, checkin, mail) for endpoint in module.api.endpoints
]
