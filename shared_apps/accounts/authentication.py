from django.db import connection
from django.utils import translation
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from .tokens import COMPANY_CLAIM


class CompanyJWTAuthentication(JWTAuthentication):
    """simplejwt's Bearer authentication, bound to the company of the request's host.

    A token issued on another company's host, or one without the company claim, is refused
    (fail closed); so is a user who left the company or was deactivated (simplejwt checks
    `is_active` on every request). Without an `Accept-Language` header, replies follow the
    user's language."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        tenant = getattr(request, "tenant", None)
        if (
            tenant is None
            or token.get(COMPANY_CLAIM) != connection.schema_name
            or user.company_id != tenant.pk
        ):
            raise AuthenticationFailed(
                "Token is not valid for this company.", code="token_not_valid"
            )
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user, token
