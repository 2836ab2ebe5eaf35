"""Signed download links of export files. A link names the company's schema and the job, is
signed with SECRET_KEY and carries its creation time, so it works without a token, only on the
company's own host, and only until the file expires."""

from django.conf import settings
from django.core import signing
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException, PermissionDenied

from .models import ExportJob, ExportStatus

SALT = "reports.export-download"


class LinkExpired(APIException):
    status_code = 410
    default_detail = _("This download link has expired; export the report again.")
    default_code = "link_expired"


def export_download_path(job: ExportJob) -> str | None:
    if (
        job.status != ExportStatus.SUCCEEDED
        or not job.expires_at
        or job.expires_at <= timezone.now()
    ):
        return None
    token = signing.dumps({"schema": connection.schema_name, "job": str(job.pk)}, salt=SALT)
    return f"{reverse('export-download', args=[job.pk])}?token={token}"


def export_job_for_download(*, job_id, token: str) -> ExportJob:
    """The job a link points at, or 403 (forged, altered, another company's or another job's
    link) / 410 (expired)."""
    invalid = PermissionDenied(_("This download link is not valid."), code="link_invalid")
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.EXPORT_FILE_TTL_SECONDS)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise invalid from exc
    if claims.get("schema") != connection.schema_name or claims.get("job") != str(job_id):
        raise invalid
    job = ExportJob.objects.filter(pk=job_id, status=ExportStatus.SUCCEEDED).first()
    if job is None or not job.file:
        raise LinkExpired  # purged since the link was made
    if job.expires_at <= timezone.now():
        raise LinkExpired
    return job
