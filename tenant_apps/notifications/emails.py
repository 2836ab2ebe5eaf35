"""A notification by e-mail (Django's mail, `EMAIL_URL`): plain text and HTML, in the
recipient's language. The notice in the app exists before any attempt and whatever they give."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from .models import EmailStatus, Notification
from .reminders import digest_html, items_from_json


def notification_email_send(*, notification_id: int) -> bool:
    """Send the notification's e-mail unless it went already; an SMTP or network error is
    raised for the caller to retry. The row is locked while sending, so that two deliveries of
    the task cannot both send it."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_attempts=F("email_attempts") + 1
    )
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, email_status=EmailStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        recipient = notification.recipient
        language = recipient.language or connection.tenant.default_language
        with translation.override(language):
            html = digest_html(items_from_json(notification.items))
        message = EmailMultiAlternatives(
            subject=notification.title,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
        )
        message.attach_alternative(html, "text/html")
        message.send()
        notification.email_status = EmailStatus.SENT
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["email_status", "emailed_at"])
    return True


def notification_email_failed(*, notification_id: int) -> None:
    """Every attempt failed: the e-mail is given up; the notice in the app stands."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.FAILED
    )
