"""Notification e-mails: their text (Latvian or English, no personal data) and sending one by SMTP with STARTTLS.

A message says only what kind of work waits, for which agency, its reference and where to sign in: never a name, a
personal code or a summary. The kinds are named as the pages name them (`hub.web.labels`, translated by the pages'
catalogues), so each kind and its Latvian and English names have one source. STARTTLS is required, with the server's
certificate checked, before the password is sent.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from events.notifications import NoticeKind
from hub.kernel.config import Settings
from hub.web.i18n import LANGUAGES, translations
from hub.web.labels import label_id

TEXT = {
    "lv": {
        "hub": "Ziņojumu centrs",
        "urgent": "steidzami",
        "digest": "Šodienas paziņojumi",
        "agency": "Iestāde",
        "reference": "Atsauce",
        "sign_in": "Pierakstieties, lai redzētu",
        "footer": "Šajā vēstulē nav personas datu. Paziņojumu iestatījumus mainiet sadaļā Paziņojumi.",
    },
    "en": {
        "hub": "Referral hub",
        "urgent": "urgent",
        "digest": "Today's notifications",
        "agency": "Agency",
        "reference": "Reference",
        "sign_in": "Sign in to see it",
        "footer": "This message holds no personal data. Change your notification settings under Notifications.",
    },
}


@dataclass(frozen=True)
class Item:
    """One item as an e-mail shows it."""

    kind: NoticeKind
    urgent: bool
    reference: str


def short_reference(identifier: str) -> str:
    """The reference people quote, as the pages show it: the first eight characters of the id (the web layer's
    `reference_text`, which the worker does not load)."""
    return identifier[:8].upper()


def kind_label(kind: NoticeKind, language: str) -> str:
    """The kind's name as the pages show it (`hub.web.labels`, translated by the pages' catalogue)."""
    return translations(language).gettext(label_id("notice_kind", kind.value))


class AddressRefused(Exception):
    """The server refused the recipient's address (a bounce: the agency administrator is shown it)."""


def compose(
    settings: Settings, to: str, language: str, agency: str, items: list[Item], sign_in: str, digest: bool
) -> EmailMessage:
    language = language if language in LANGUAGES else "lv"
    words = TEXT[language]
    first = items[0]
    title = (
        words["digest"]
        if digest
        else kind_label(first.kind, language) + (f" ({words['urgent']})" if first.urgent else "")
    )
    lines = [f"{words['agency']}: {agency}", ""]
    for item in items:
        mark = f" ({words['urgent']})" if item.urgent else ""
        lines.append(f"- {kind_label(item.kind, language)}{mark}. {words['reference']}: {item.reference}")
    lines += ["", f"{words['sign_in']}: {sign_in}", "", words["footer"]]
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = f"{words['hub']}: {title}"
    message["Message-ID"] = make_msgid(domain=settings.smtp_sender.rpartition("@")[2] or None)
    message["Content-Language"] = language
    message.set_content("\n".join(lines))
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server; `AddressRefused` for a refused address, `OSError`/`SMTPException` else."""
    if settings.smtp_host is None:
        raise smtplib.SMTPException("no SMTP server is configured")
    context = ssl.create_default_context(cafile=settings.smtp_ca_file)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
        smtp.starttls(context=context)
        if settings.smtp_user is not None:
            password = settings.smtp_password_file.read_text().strip() if settings.smtp_password_file else ""
            smtp.login(settings.smtp_user, password)
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            raise AddressRefused("the server refused the recipient's address") from refused
