from celery import shared_task

from . import provisioning


@shared_task(ignore_result=True)
def refill_spare_schemas() -> None:
    """Keep TENANT_SPARE_SCHEMAS spare company schemas ready (see `provisioning`)."""
    provisioning.spares_refill()
