"""drf-spectacular: document CompanyJWTAuthentication as the Bearer JWT scheme, so Swagger
UI's "Authorize" button works."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class CompanyJWTScheme(SimpleJWTScheme):
    target_class = "shared_apps.accounts.authentication.CompanyJWTAuthentication"
    name = "jwtAuth"
