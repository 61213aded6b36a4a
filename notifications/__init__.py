"""Outbox, templates, SMTP delivery and reminders. Knows nothing of events or talent."""
