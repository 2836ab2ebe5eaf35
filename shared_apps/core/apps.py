from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "shared_apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created

        from .counts import forget_version_read
        from .db import dump_query_time_dates, use_c_timestamptz_loader
        from .logging import log_context_close

        request_finished.connect(log_context_close, dispatch_uid="log_context_close")
        for signal in (request_started, request_finished):
            signal.connect(forget_version_read, dispatch_uid="counts_forget_version_read")
        connection_created.connect(use_c_timestamptz_loader, dispatch_uid="c_timestamptz_loader")
        connection_created.connect(dump_query_time_dates, dispatch_uid="query_time_dates")


class PlatformAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the platform's admin site (platform staff only)."""

    default = False
    default_site = "shared_apps.core.admin_sites.PlatformAdminSite"
