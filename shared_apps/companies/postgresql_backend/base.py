from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper

from .introspection import DatabaseIntrospection


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.introspection = DatabaseIntrospection(self)
