"""Events, agenda, ticket types and quotas, registrations, waiting list, check-in, calendars."""
