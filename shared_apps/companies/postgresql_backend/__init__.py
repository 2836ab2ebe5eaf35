"""django-tenants' PostgreSQL backend with an introspection that scales to many schemas (see
`introspection.py`). Set as the ENGINE in config/settings/base.py."""
