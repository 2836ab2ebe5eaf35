"""What every background job of a company has in common: exports, imports and reminder runs
are concrete models of `BackgroundJob` in their own apps, each with its own table."""

import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from shared_apps.accounts.fields import user_reference


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class BackgroundJob(models.Model):
    """Work done by a Celery worker in the company's schema, polled by its creator."""

    # The job's kind in its failure reasons ("The export was interrupted twice ...").
    noun = "job"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    rows = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = user_reference()
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"]),  # the creator's list
            models.Index(fields=["status", "started_at"]),  # the stale sweep
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="%(app_label)s_%(class)s_progress_max"
            ),
        ]
