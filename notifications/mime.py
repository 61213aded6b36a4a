"""The MIME message of an outbox row: multipart/mixed > multipart/alternative (text, HTML, text/calendar)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate

from notifications.parts import CalendarPart
from notifications.templates import Rendered


def _clean(name: str) -> str:
    """A display name without line breaks, and without the characters that mail systems reject in it."""
    return " ".join(name.replace('"', "").replace("@", " ").replace(",", " ").replace(":", " ").split())


def build_message(
    rendered: Rendered,
    *,
    to: str,
    to_name: str,
    sender: str,
    sender_name: str,
    message_id: str,
    calendar: CalendarPart | None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((_clean(sender_name), sender))
    message["To"] = formataddr((_clean(to_name), to))
    message["Subject"] = " ".join(rendered.subject.split())
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = f"<{message_id}@{sender.rpartition('@')[2]}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "OOF, NRN, AutoReply, RN"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if calendar is not None:
        method, content = calendar
        # Inline in the alternative, with the METHOD matching, is what Outlook and Exchange need to treat it as
        # a meeting; the same file attached serves clients that only offer attachments.
        message.add_alternative(
            content, maintype="text", subtype="calendar", params={"method": method, "charset": "UTF-8"}
        )
        message.add_attachment(content, maintype="application", subtype="ics", filename="invite.ics")
    return message
