"""The daily reminders, on fixed dates (`today=`): which obligations are told, to whom, once,
in which words. One car is watched; its kit items are present without an expiry date and its
inspection runs to 2027, so that its OSAGO policy (to 31 December 2026) alone falls due."""

import datetime as dt

import pytest
from django.core.management import call_command

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car
from tenant_apps.notifications.models import EmailStatus, Notification, ReminderSent
from tenant_apps.notifications.reminders import reminders_send
from tests.factories import CarFactory, InspectionFactory, InsuranceFactory, KitFactory

URL = "http://acme.localhost:5173/cars/{}"
DAY = dt.date


@pytest.fixture
def watched(in_acme):
    """A car whose OSAGO ends on 31 December 2026; nothing else of it falls due before 2027."""
    car = CarFactory(numplate="01KG500REM")
    KitFactory(car=car, has_fire_extinguisher=True, has_first_aid_kit=True)
    InspectionFactory(car=car, inspected_at=DAY(2026, 6, 1), valid_until=DAY(2027, 5, 31))
    InsuranceFactory(car=car, start_date=DAY(2026, 1, 1), end_date=DAY(2026, 12, 31))
    return car


@pytest.fixture
def dispatcher(acme, make_user):
    return make_user(acme, Role.DISPATCHER, email="disp@acme.test", language="en")


def seeded_admins(company) -> set[int]:
    """The admin every test company is made with (a recipient by its role)."""
    return set(
        User.objects.filter(company=company, role=Role.COMPANY_ADMIN).values_list("pk", flat=True)
    )


def mine(notifications: list[Notification], user) -> list[Notification]:
    return [notification for notification in notifications if notification.recipient == user]


def told(user) -> list[tuple[str, int | None, str]]:
    """What `user` was told, oldest first: (threshold, days_left, status) per item."""
    return [
        (item["threshold"], item["days_left"], item["status"])
        for notification in Notification.objects.filter(recipient=user).order_by("id")
        for item in notification.items
    ]


@pytest.mark.parametrize(
    ("today", "threshold", "days_left", "status"),
    [
        (DAY(2026, 12, 1), "30", 30, "expiring"),
        (DAY(2026, 12, 24), "7", 7, "expiring"),
        (DAY(2026, 12, 30), "1", 1, "expiring"),
        (DAY(2026, 12, 31), "1", 0, "expiring"),  # on the day, still covered
        (DAY(2027, 1, 1), "expired", -1, "expired"),
    ],
)
def test_each_threshold_is_told_on_its_day(
    watched, dispatcher, today, threshold, days_left, status
):
    reminders_send(today=today)

    assert told(dispatcher) == [(threshold, days_left, status)]


def test_a_month_of_runs_tells_each_threshold_once(watched, dispatcher):
    for day in range(25):  # every day from 10 December 2026 to 3 January 2027
        reminders_send(today=DAY(2026, 12, 10) + dt.timedelta(days=day))

    # From the 10th (21 days left: the 30-day threshold crossed since), the 24th, the 30th and
    # the 1st; nothing in between, nothing twice.
    assert told(dispatcher) == [
        ("30", 21, "expiring"),
        ("7", 7, "expiring"),
        ("1", 1, "expiring"),
        ("expired", -1, "expired"),
    ]
    assert ReminderSent.objects.filter(recipient=dispatcher).count() == 4


def test_nothing_is_told_more_than_30_days_ahead(watched, dispatcher):
    assert reminders_send(today=DAY(2026, 11, 30)) == []
    assert not Notification.objects.exists()


def test_a_renewal_stops_the_reminders(watched, dispatcher):
    reminders_send(today=DAY(2026, 12, 24))
    # Renewed ahead: the new policy starts the day after the old one ends.
    InsuranceFactory(car=watched, start_date=DAY(2027, 1, 1), end_date=DAY(2027, 12, 31))

    for day in (DAY(2026, 12, 30), DAY(2027, 1, 1), DAY(2027, 1, 5)):
        reminders_send(today=day)

    assert told(dispatcher) == [("7", 7, "expiring")]


def test_a_decommissioned_car_is_not_told_about(watched, dispatcher):
    Car.objects.filter(pk=watched.pk).update(status="decommissioned")

    assert reminders_send(today=DAY(2027, 1, 1)) == []


def test_missing_obligations_are_told_once(in_acme, dispatcher):
    """A car with nothing: OSAGO, inspection and both kit items are missing."""
    car = CarFactory(numplate="01KG501REM")

    reminders_send(today=DAY(2026, 12, 1))
    reminders_send(today=DAY(2026, 12, 2))

    (notification,) = Notification.objects.filter(recipient=dispatcher)
    assert [(i["obligation"], i["threshold"], i["url"]) for i in notification.items] == [
        ("osago", "missing", URL.format(car.pk)),
        ("inspection", "missing", URL.format(car.pk)),
        ("fire_extinguisher", "missing", URL.format(car.pk)),
        ("first_aid_kit", "missing", URL.format(car.pk)),
    ]


def test_the_recipients_are_the_active_users_of_the_reminder_roles(watched, acme, make_user):
    admin = make_user(acme, Role.COMPANY_ADMIN, email="boss@acme.test")
    dispatcher = make_user(acme, Role.DISPATCHER)
    former = make_user(acme, Role.DISPATCHER, is_active=False)
    accountant = make_user(acme, Role.ACCOUNTANT)
    mechanic = make_user(acme, Role.MECHANIC)

    reminders_send(today=DAY(2026, 12, 24))

    told_to = set(Notification.objects.values_list("recipient", flat=True))
    assert told_to == {*seeded_admins(acme), admin.pk, dispatcher.pk}

    acme.reminder_roles = [Role.ACCOUNTANT]
    acme.save(update_fields=["reminder_roles"])
    reminders_send(today=DAY(2026, 12, 30))

    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        *seeded_admins(acme),
        admin.pk,
        dispatcher.pk,
        accountant.pk,
    }
    assert not Notification.objects.filter(recipient__in=[former.pk, mechanic.pk]).exists()


def test_one_digest_per_recipient_grouped_by_car_worst_first(in_acme, dispatcher):
    """Two cars: the one with an expired policy first, then the one whose policy ends soon."""
    soon = CarFactory(numplate="01KG502REM")
    KitFactory(car=soon, has_fire_extinguisher=True, has_first_aid_kit=True)
    InspectionFactory(car=soon, inspected_at=DAY(2026, 6, 1), valid_until=DAY(2026, 12, 28))
    InsuranceFactory(car=soon, start_date=DAY(2026, 1, 1), end_date=DAY(2026, 12, 26))
    lapsed = CarFactory(numplate="01KG503REM")
    KitFactory(car=lapsed, has_fire_extinguisher=True, has_first_aid_kit=True)
    InspectionFactory(car=lapsed, inspected_at=DAY(2026, 6, 1), valid_until=DAY(2027, 5, 31))
    InsuranceFactory(car=lapsed, start_date=DAY(2025, 12, 1), end_date=DAY(2026, 11, 30))

    (notification,) = mine(reminders_send(today=DAY(2026, 12, 24)), dispatcher)

    assert notification.title == "Reminders: 2 cars need attention"
    assert notification.body == (
        f"01KG503REM  {URL.format(lapsed.pk)}\n"
        "  - OSAGO: expired on 2026-11-30 (24 days ago)\n"
        "\n"
        f"01KG502REM  {URL.format(soon.pk)}\n"
        "  - OSAGO: ends on 2026-12-26 (in 2 days)\n"
        "  - Inspection: ends on 2026-12-28 (in 4 days)\n"
    )
    assert notification.email_status == EmailStatus.PENDING


def test_a_digest_is_in_the_recipients_language(watched, acme, make_user):
    reader = make_user(acme, Role.COMPANY_ADMIN, language="ru")

    (notification,) = mine(reminders_send(today=DAY(2026, 12, 24)), reader)

    assert notification.title == "Напоминания: внимания требует 1 машина"
    assert notification.body == (
        f"01KG500REM  {URL.format(watched.pk)}\n"
        "  - ОСАГО: заканчивается 2026-12-31 (через 7 дней)\n"
    )


def test_who_opted_out_of_email_is_told_in_the_app_only(watched, acme, make_user, client_for):
    admin = make_user(acme, Role.COMPANY_ADMIN, email="boss@acme.test")
    no_address = make_user(acme, Role.DISPATCHER, email="")
    client = client_for(acme, admin)
    response = client.patch("/api/v1/auth/me/", {"notify_email": False}, format="json")
    assert (response.status_code, response.json()["notify_email"]) == (200, False)

    reminders_send(today=DAY(2026, 12, 24))

    statuses = dict(Notification.objects.values_list("recipient", "email_status"))
    assert (statuses[admin.pk], statuses[no_address.pk]) == ("not_sent", "not_sent")


def test_send_reminders_command_runs_one_company_as_of_a_day(watched, dispatcher, capsys):
    call_command("send_reminders", "--company", "acme", "--today", "2026-12-24")
    call_command("send_reminders", "--company", "acme", "--today", "2026-12-24")

    # The dispatcher and the company's own admin; nothing the second time.
    assert capsys.readouterr().out == "acme: 2 digest(s)\nacme: 0 digest(s)\n"
    assert told(dispatcher) == [("7", 7, "expiring")]
