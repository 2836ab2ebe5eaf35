from django.utils import translation
from rest_framework_simplejwt.authentication import JWTAuthentication

from shared_apps.core.logging import log_context_bind

from . import tokens


class CompanyJWTAuthentication(JWTAuthentication):
    """simplejwt's Bearer authentication, bound to the company of the request's host.

    A token is refused (401, see `tokens`) when it is expired (`token_expired`), when its user
    is no longer an active member of the company or its tokens were revoked by a password change
    or a deactivation (`token_revoked`), and when it is malformed, forged, of another company or
    without the company claim (`token_not_valid`, fail closed). Without an `Accept-Language`
    header, replies follow the user's language."""

    def authenticate(self, request):
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)  # `Bearer` with no single token: 401 itself
        if raw_token is None:
            return None
        company = getattr(request, "tenant", None)
        token = tokens.access_token_parse(raw_token, company=company)
        user = tokens.token_user(token, company=company, cached=True)  # no query per request
        log_context_bind(user_id=user.pk)  # every log line of this request names the user
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user, token
