from django.db import models
from django.db.models import Q

from shared_apps.accounts.fields import user_reference
from tenant_apps.fleet.compliance import Obligation
from tenant_apps.jobs.models import BackgroundJob


class EmailStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Not sent"  # the recipient opted out, or has no address
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"  # every attempt failed; the notice in the app stands


class Notification(models.Model):
    """A notice to one user in the app (the bell), e-mailed too unless they opted out."""

    recipient = user_reference()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text, in the recipient's language.")
    items = models.JSONField(default=list, blank=True, help_text="What it is about, row by row.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.NOT_SENT
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Threshold(models.TextChoices):
    """The points at which an obligation is told about, worst first."""

    MISSING = "missing", "Missing"
    EXPIRED = "expired", "Expired"
    DAY_1 = "1", "1 day before"
    DAYS_7 = "7", "7 days before"
    DAYS_30 = "30", "30 days before"


class ReminderSent(models.Model):
    """One obligation of one car told to one recipient at one threshold: at most once, held by
    the database, whatever runs overlap. `due` names the cover told about, so a renewal's own
    end is told about again when it comes."""

    recipient = user_reference()
    car = models.ForeignKey("fleet.Car", on_delete=models.CASCADE, related_name="+")
    obligation = models.CharField(max_length=32, choices=Obligation.choices)
    due = models.DateField(null=True, blank=True)
    # The maintenance plan of a `service` row (a car has several); null for the others, whose
    # car and obligation say which they are.
    plan = models.PositiveBigIntegerField(null=True, blank=True)
    threshold = models.CharField(max_length=8, choices=Threshold.choices)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "car", "obligation", "plan", "due", "threshold"],
                nulls_distinct=False,  # `missing` has no due date and is told once too
                name="reminder_once_per_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.car_id} {self.obligation} {self.threshold}"


class ReminderRun(BackgroundJob):
    """A company's daily reminder run: one per day of the company's calendar."""

    noun = "reminder run"

    day = models.DateField(unique=True, help_text="The company's today when it ran.")
    # The beat starts it; nobody did.
    created_by = user_reference(null=True, blank=True)
    notifications = models.PositiveIntegerField(default=0)

    class Meta(BackgroundJob.Meta):
        pass

    def __str__(self) -> str:
        return f"reminders of {self.day} ({self.status})"
