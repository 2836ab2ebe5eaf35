"""The daily reminders: each compliance row (reports' `compliance_rows`) that has crossed a
threshold (30, 7 or 1 days before it falls due, expired, missing) is told once to each
recipient, in one digest per recipient and run, grouped by car, worst first.

"Once" is the database's: a run claims its (recipient, car, obligation, due, threshold) rows
with one `INSERT ... ON CONFLICT DO NOTHING RETURNING`, in the transaction that creates the
notification; a second run, at once or after a crash, finds them claimed and tells nothing. A
renewed document moves `due` and is `active` again, so it stops its reminders; a decommissioned
car has no rows."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shared_apps.accounts.models import User
from tenant_apps.fleet.compliance import (
    ComplianceRow,
    ComplianceStatus,
    Obligation,
    compliance_rows,
)
from tenant_apps.fleet.models import MaintenancePlan
from tenant_apps.fleet.selectors import CompanyClock, company_clock, company_users
from tenant_apps.reports.car_scope import WHOLE_FLEET

from .models import EmailStatus, Notification, ReminderSent, Threshold

DAYS_BEFORE = (1, 7, 30)


def threshold_of(row: ComplianceRow) -> str | None:
    """The worst threshold the row has crossed, or None while it is more than 30 days away."""
    if row.status == ComplianceStatus.MISSING:
        return Threshold.MISSING
    if row.status == ComplianceStatus.EXPIRED:
        return Threshold.EXPIRED
    if row.days_left is None:
        return None  # a kit item present without an expiry date
    return next((str(days) for days in DAYS_BEFORE if row.days_left <= days), None)


@dataclass(frozen=True)
class DueItem:
    row: ComplianceRow
    threshold: str
    plan: str = ""  # a service's: the maintenance plan's name

    @property
    def plan_id(self) -> int | None:
        return self.row.document if self.row.obligation == Obligation.SERVICE else None

    @property
    def key(self) -> tuple:
        return (self.row.car, self.row.obligation, self.plan_id, self.row.due, self.threshold)


def reminder_recipients() -> Iterable[User]:
    """The active users of the current company whose role is in its `reminder_roles`."""
    return company_users(active_only=True).filter(role__in=connection.tenant.reminder_roles)


def reminders_send(*, today: dt.date | None = None) -> list[Notification]:
    """Tell each recipient of the current company what crossed a threshold since they were last
    told, as of `today` (default: the company's). The e-mails are queued once the notices are
    committed. Returns the notifications made."""
    clock = company_clock()
    if today is not None:
        clock = CompanyClock(today=today, warning_days=clock.warning_days)
    rows = compliance_rows(cars=WHOLE_FLEET.car_queryset(), clock=clock)
    crossed = [(row, threshold) for row in rows if (threshold := threshold_of(row))]
    if not crossed:
        return []
    service = [row.document for row, _threshold in crossed if row.obligation == "service"]
    plans = dict(MaintenancePlan.objects.filter(pk__in=service).values_list("pk", "name"))
    due = [
        DueItem(row, threshold, plans.get(row.document, "") if row.obligation == "service" else "")
        for row, threshold in crossed
    ]
    made = []
    for user in reminder_recipients():
        notification = _notify(user, due)
        if notification is not None:
            made.append(notification)
    return made


@transaction.atomic
def _notify(user: User, due: list[DueItem]) -> Notification | None:
    claimed = _claim(user, due)
    if not claimed:
        return None
    told = [item for item in due if item.key in claimed]
    language = user.language or connection.tenant.default_language
    with translation.override(language):
        title, body = digest_title(told), digest_text(told)
    emailed = user.notify_email and bool(user.email)
    notification = Notification.objects.create(
        recipient=user,
        title=title,
        body=body,
        items=[_item_json(item) for item in told],
        email_status=EmailStatus.PENDING if emailed else EmailStatus.NOT_SENT,
    )
    ReminderSent.objects.filter(pk__in=claimed.values()).update(notification=notification)
    if emailed:
        from .tasks import send_notification_email  # the task module imports this one

        transaction.on_commit(lambda: send_notification_email.delay(notification.pk))
    return notification


def _claim(user: User, due: list[DueItem]) -> dict[tuple, int]:
    """Record the items as told to `user`; the keys of those no run had recorded, with their
    row ids. Rows another transaction is claiming wait for it, then count as taken."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO notifications_remindersent
                (recipient_id, car_id, obligation, plan, due, threshold, created_at)
            SELECT %s, item.car, item.obligation, item.plan, item.due, item.threshold, now()
            FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::date[], %s::text[])
                AS item (car, obligation, plan, due, threshold)
            ON CONFLICT DO NOTHING
            RETURNING car_id, obligation, plan, due, threshold, id
            """,
            [
                user.pk,
                [item.row.car for item in due],
                [item.row.obligation for item in due],
                [item.plan_id for item in due],
                [item.row.due for item in due],
                [item.threshold for item in due],
            ],
        )
        return {tuple(values[:5]): values[5] for values in cursor.fetchall()}


def car_url(car_id: int) -> str:
    return settings.FRONTEND_URL.format(company=connection.tenant.slug, id=car_id)


def _item_json(item: DueItem) -> dict:
    row = item.row
    return {
        "car": row.car,
        "numplate": row.numplate,
        "obligation": row.obligation,
        "status": row.status,
        "due": row.due.isoformat() if row.due else None,
        "days_left": row.days_left,
        "threshold": item.threshold,
        "plan": item.plan,
        "url": car_url(row.car),
    }


# --- The digest's words (in the active language) ---------------------------------------------


def by_car(items: list[DueItem]) -> list[tuple[ComplianceRow, list[DueItem]]]:
    """The items grouped by car, each car where its worst item is (items come worst first)."""
    cars: dict[int, list[DueItem]] = {}
    for item in items:
        cars.setdefault(item.row.car, []).append(item)
    return [(group[0].row, group) for group in cars.values()]


def digest_title(items: list[DueItem]) -> str:
    cars = len({item.row.car for item in items})
    return ngettext(
        "Reminders: %(count)d car needs attention",
        "Reminders: %(count)d cars need attention",
        cars,
    ) % {"count": cars}


def item_line(item: DueItem) -> str:
    row = item.row
    if row.obligation == Obligation.SERVICE:
        return _service_line(item)
    name = Obligation(row.obligation).label
    if row.status == ComplianceStatus.MISSING:
        if row.due:  # only a document yet to start
            return _("%(name)s: none in force; the next one starts on %(date)s") % {
                "name": name,
                "date": row.due.isoformat(),
            }
        return _("%(name)s: missing") % {"name": name}
    if row.status == ComplianceStatus.EXPIRED:
        return ngettext(
            "%(name)s: expired on %(date)s (%(days)d day ago)",
            "%(name)s: expired on %(date)s (%(days)d days ago)",
            -row.days_left,
        ) % {"name": name, "date": row.due.isoformat(), "days": -row.days_left}
    if row.days_left == 0:
        return _("%(name)s: ends today, %(date)s") % {"name": name, "date": row.due.isoformat()}
    return ngettext(
        "%(name)s: ends on %(date)s (in %(days)d day)",
        "%(name)s: ends on %(date)s (in %(days)d days)",
        row.days_left,
    ) % {"name": name, "date": row.due.isoformat(), "days": row.days_left}


def _service_line(item: DueItem) -> str:
    """A maintenance plan falls due or is overdue; it is never missing or covered by a date."""
    row = item.row
    name = _("Service: %(plan)s") % {"plan": item.plan}
    if row.status == ComplianceStatus.EXPIRED:
        return ngettext(
            "%(name)s: overdue since %(date)s (%(days)d day)",
            "%(name)s: overdue since %(date)s (%(days)d days)",
            -row.days_left,
        ) % {"name": name, "date": row.due.isoformat(), "days": -row.days_left}
    return ngettext(
        "%(name)s: due on %(date)s (in %(days)d day)",
        "%(name)s: due on %(date)s (in %(days)d days)",
        row.days_left,
    ) % {"name": name, "date": row.due.isoformat(), "days": row.days_left}


def digest_text(items: list[DueItem]) -> str:
    lines = []
    for car, group in by_car(items):
        lines.append(f"{car.numplate}  {car_url(car.car)}")
        lines.extend(f"  - {item_line(item)}" for item in group)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def digest_html(items: list[DueItem]) -> str:
    cars = format_html_join(
        "",
        '<h3><a href="{}">{}</a></h3><ul>{}</ul>',
        (
            (
                car_url(car.car),
                car.numplate,
                format_html_join("", "<li>{}</li>", ((item_line(item),) for item in group)),
            )
            for car, group in by_car(items)
        ),
    )
    return format_html("<html><body>{}</body></html>", cars)


def items_from_json(items: list[dict]) -> list[DueItem]:
    """A notification's items as the digest's (to write its e-mail later, in its words)."""
    return [
        DueItem(
            ComplianceRow(
                car=item["car"],
                numplate=item["numplate"],
                obligation=item["obligation"],
                status=item["status"],
                due=dt.date.fromisoformat(item["due"]) if item["due"] else None,
                days_left=item["days_left"],
                document=None,
            ),
            item["threshold"],
            item.get("plan", ""),
        )
        for item in items
    ]
