"""Reminders delivered: e-mail to a real SMTP server on 127.0.0.1 (aiosmtpd), retried when it
refuses, sent by a real Celery worker; runs that overlap tell nothing twice; each company's run
starts at its own REMINDER_HOUR; the bell's API."""

import datetime as dt
import email
import sys
import time
import uuid
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scripts.devstack import free_port
from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car
from tenant_apps.notifications import emails
from tenant_apps.notifications.models import Notification, ReminderRun, ReminderSent
from tenant_apps.notifications.reminders import reminders_send
from tenant_apps.notifications.tasks import reminder_runs_start, send_notification_email
from tests.factories import CarFactory, InsuranceFactory, UserFactory
from tests.reports.test_exports import Worker, worker_database_url
from tests.scale.servers import Process, project_env
from tests.scale.test_worker_killed import broker  # noqa: F401 - a Redis of the module's own
from tests.threads import in_schema, run_in_parallel

DAY = dt.date(2026, 12, 24)  # the OSAGO below ends in 7 days


class Inbox:
    """An aiosmtpd handler that keeps what it is sent, after refusing the first `refuse`
    messages with a temporary error (451), as a busy mail server does."""

    def __init__(self, refuse: int = 0):
        self.messages: list[Message] = []
        self.refuse = refuse
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1, and this process's mail sent to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox, controller.port
    controller.stop()


def parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


def watched_car(numplate: str = "01KG600DEL") -> Car:
    car = CarFactory(numplate=numplate)
    InsuranceFactory(car=car, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    return car


# --- E-mail, in this process ---------------------------------------------------------------------


def test_a_digest_is_mailed_as_text_and_html(in_acme, acme, make_user, smtp):
    inbox, _port = smtp
    user = make_user(acme, Role.DISPATCHER, email="disp@acme.test", language="en")
    car = watched_car()
    (notification,) = [n for n in reminders_send(today=DAY) if n.recipient == user]

    assert emails.notification_email_send(notification_id=notification.pk) is True

    (message,) = inbox.messages
    assert (message["To"], message["Subject"]) == ("disp@acme.test", notification.title)
    body = parts(message)
    assert body["text/plain"].replace("\r\n", "\n") == notification.body  # SMTP sends CRLF
    link = f"http://acme.localhost:5173/cars/{car.pk}"
    assert f'<h3><a href="{link}">01KG600DEL</a></h3>' in body["text/html"]
    assert "<li>OSAGO: ends on 2026-12-31 (in 7 days)</li>" in body["text/html"]
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("sent", 1)
    # Sent is sent: a second delivery of the task sends nothing.
    assert emails.notification_email_send(notification_id=notification.pk) is False
    assert len(inbox.messages) == 1


def test_a_refused_e_mail_stays_pending_and_the_notice_stands(in_acme, acme, make_user, smtp):
    inbox, _port = smtp
    inbox.refuse = 1
    user = make_user(acme, Role.DISPATCHER, email="disp@acme.test")
    watched_car()
    (notification,) = [n for n in reminders_send(today=DAY) if n.recipient == user]

    with pytest.raises(Exception, match="Try again later"):
        emails.notification_email_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("pending", 1)
    assert emails.notification_email_send(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("sent", 2)


def test_an_e_mail_refused_every_time_is_given_up(in_acme, acme, make_user, smtp):
    inbox, _port = smtp
    inbox.refuse = 99
    user = make_user(acme, Role.DISPATCHER, email="disp@acme.test")
    watched_car()
    (notification,) = [n for n in reminders_send(today=DAY) if n.recipient == user]

    # The last retry (Celery's own bookkeeping says it is the fifth) gives up.
    send_notification_email.apply(args=[notification.pk], retries=5)

    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("failed", 1)
    assert Notification.objects.filter(pk=notification.pk, read_at__isnull=True).exists()


# --- A real worker and a refusing server ----------------------------------------------------------


def test_a_worker_mails_the_digest_after_a_refusal(acme, broker, smtp):  # noqa: F811
    inbox, port = smtp
    inbox.refuse = 1
    name = f"mail-{uuid.uuid4().hex[:6]}@localhost"
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
    args += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-n", name]
    env = project_env(worker_database_url(), broker.url) | {"EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    started = Process.start(args, env)
    worker = Worker(started.process, started.log, name)

    def setup():
        user = UserFactory(company=acme, role=Role.DISPATCHER, email="w@acme.test", language="en")
        return user.pk, watched_car("01KG601DEL").pk

    user_id, car_id = in_schema(acme, setup)
    try:
        worker.wait_until_ready()
        in_schema(acme, lambda: reminders_send(today=DAY))  # commits, then queues the e-mails
        deadline = time.monotonic() + 30
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [m["To"] for m in inbox.messages] == ["w@acme.test"], worker.output()
        assert inbox.refused == 1
        connection.set_tenant(acme)
        deadline = time.monotonic() + 10
        while (
            Notification.objects.filter(recipient_id=user_id, email_status="sent").count() == 0
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        notification = Notification.objects.get(recipient_id=user_id)
        assert (notification.email_status, notification.email_attempts) == ("sent", 2)
    finally:
        worker.stop()
        in_schema(acme, _cleanup(car_id, user_id))


def _cleanup(car_id: int, user_id: int):
    """Remove what a test committed: the reminders, the car with its policy, the user."""

    def run():
        from tenant_apps.fleet.models import Insurance

        ReminderSent.objects.all().delete()
        Notification.objects.all().delete()
        Insurance.objects.filter(car_id=car_id).delete()
        Car.objects.filter(pk=car_id).delete()
        User.objects.filter(pk=user_id).delete()

    return run


# --- Overlapping runs -----------------------------------------------------------------------------


def test_two_runs_at_once_tell_each_recipient_once(acme):
    def setup():
        user = UserFactory(company=acme, role=Role.DISPATCHER, email="")
        return user.pk, watched_car("01KG602DEL").pk

    user_id, car_id = in_schema(acme, setup)
    try:

        def run():
            connection.set_tenant(acme)
            return reminders_send(today=DAY)

        first, second = run_in_parallel(run, run)

        def mine(made):
            return [n for n in made if n.recipient_id == user_id]

        assert sorted([len(mine(first)), len(mine(second))]) == [0, 1]
        counted = in_schema(acme, lambda: Notification.objects.filter(recipient_id=user_id).count())
        assert counted == 1
    finally:
        in_schema(acme, _cleanup(car_id, user_id))


# --- Each company at its own hour -----------------------------------------------------------------


def test_each_company_gets_its_run_at_its_own_reminder_hour(acme, globex, settings):
    """At 03:30 UTC it is 09:30 in Bishkek and 06:30 in Moscow; at 06:05 UTC, 09:05 in Moscow."""
    settings.REMINDER_HOUR = 9
    acme.timezone, globex.timezone = "Asia/Bishkek", "Europe/Moscow"
    acme.save(update_fields=["timezone"])
    globex.save(update_fields=["timezone"])

    def runs() -> dict[str, list[dt.date]]:
        found = {}
        for company in (acme, globex):
            connection.set_tenant(company)
            found[company.slug] = list(ReminderRun.objects.values_list("day", flat=True))
        return found

    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as before_nine:
        assert reminder_runs_start(now=dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)) == 0
    # One claim for every company, none of them due at 08:00 (and the schema switch's own).
    statements = [q["sql"].split()[0] for q in before_nine if "search_path" not in q["sql"]]
    assert statements == ["UPDATE"]

    reminder_runs_start(now=dt.datetime(2026, 12, 1, 3, 30, tzinfo=dt.UTC))
    assert runs() == {"acme": [dt.date(2026, 12, 1)], "globex": []}

    reminder_runs_start(now=dt.datetime(2026, 12, 1, 6, 5, tzinfo=dt.UTC))
    reminder_runs_start(now=dt.datetime(2026, 12, 1, 6, 10, tzinfo=dt.UTC))
    assert runs() == {"acme": [dt.date(2026, 12, 1)], "globex": [dt.date(2026, 12, 1)]}


# --- The bell ------------------------------------------------------------------------------------

NOTIFICATIONS = "/api/v1/notifications/"


def test_the_bell_lists_my_notifications_newest_first_and_marks_them_read(
    in_acme, acme, make_user, client_for
):
    me, other = make_user(acme, Role.DISPATCHER), make_user(acme, Role.COMPANY_ADMIN)
    older = Notification.objects.create(recipient=me, title="older", body="a")
    newer = Notification.objects.create(recipient=me, title="newer", body="b")
    theirs = Notification.objects.create(recipient=other, title="theirs", body="c")
    client = client_for(acme, me)

    page = client.get(NOTIFICATIONS).json()
    assert ([n["title"] for n in page["results"]], page["count"], page["unread_count"]) == (
        ["newer", "older"],
        2,
        2,
    )

    read = client.post(f"{NOTIFICATIONS}{older.pk}/read/").json()
    assert (read["id"], read["read"]) == (older.pk, True)
    unread = client.get(NOTIFICATIONS, {"unread": "true"}).json()
    assert ([n["id"] for n in unread["results"]], unread["unread_count"]) == ([newer.pk], 1)

    assert client.post(f"{NOTIFICATIONS}{theirs.pk}/read/").status_code == 404
    assert client.post(f"{NOTIFICATIONS}read-all/").json() == {"marked": 1}
    assert client.get(NOTIFICATIONS).json()["unread_count"] == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
