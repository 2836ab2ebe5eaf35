"""The company of a host, cached: without it every request queries the domain and its company
before anything else (`CompanyMiddleware`).

An entry is forgotten (`shared_apps.core.rowcache`) whenever the ORM saves or deletes the
company or one of its domains, and by the querysets' `update()`: a suspended or deleted
company, and a removed, renamed or moved domain, stop answering on the next request. The
company's `reminders_ran_on` is left out of the entry (the reminder beat writes it with raw
SQL), and so is its `migrations_fingerprint` (no request reads it; a deploy records it for every
company, which would otherwise forget every host)."""

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from shared_apps.core.rowcache import RowCache

from .models import Company, Domain

company_rows = RowCache(
    Company,
    name="company-by-host",
    timeout_setting="TENANT_HOST_CACHE_SECONDS",
    deferred=("reminders_ran_on", "migrations_fingerprint"),
)


def company_for_host(host: str) -> Company | None:
    """The company `host` serves (its `Domain`), or None."""

    def load() -> Company | None:
        domain = Domain.objects.select_related("tenant").filter(domain=host).first()
        return None if domain is None else domain.tenant

    return company_rows.get_or_load(host, load)


def hosts_forget(hosts: Iterable[str]) -> None:
    company_rows.forget(hosts)


def company_hosts_forget(company_ids: Iterable[int]) -> None:
    """Forget every host of these companies."""
    hosts = Domain.objects.filter(tenant_id__in=list(company_ids)).values_list("domain", flat=True)
    hosts_forget(hosts)


def _company_saved(sender, instance: Company, created: bool, **kwargs) -> None:
    if not created:  # a new company has no domain yet
        company_hosts_forget([instance.pk])


def _company_deleting(sender, instance: Company, **kwargs) -> None:
    company_hosts_forget([instance.pk])  # before the cascade takes its domains


def _domain_saving(sender, instance: Domain, **kwargs) -> None:
    """A domain moved to another company or renamed forgets the host it had (a new host was
    nobody's, so nothing is cached under it: unknown hosts are not cached)."""
    if instance.pk is not None:
        hosts_forget(Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True))


def _domain_deleted(sender, instance: Domain, **kwargs) -> None:
    hosts_forget([instance.domain])


def forget_on_writes() -> None:
    """Connect the forgetting to every save and delete (cascades included) of companies and
    domains; `update()` forgets in the models' querysets."""
    post_save.connect(_company_saved, sender=Company, dispatch_uid="host-cache-company-saved")
    pre_delete.connect(_company_deleting, sender=Company, dispatch_uid="host-cache-company-del")
    pre_save.connect(_domain_saving, sender=Domain, dispatch_uid="host-cache-domain-saving")
    post_delete.connect(_domain_deleted, sender=Domain, dispatch_uid="host-cache-domain-deleted")
