"""JWTs bound to a company: the `company` claim holds the schema the token was issued on."""

from django.db import connection, transaction
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from .models import User

COMPANY_CLAIM = "company"


def refresh_token_for(user: User) -> RefreshToken:
    token = RefreshToken.for_user(user)
    token[COMPANY_CLAIM] = user.company.schema_name
    return token


def _company_refresh_token(raw: str) -> RefreshToken:
    """Parse a refresh token and refuse one that is invalid, blacklisted or of another company."""
    try:
        token = RefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc
    if token.get(COMPANY_CLAIM) != connection.schema_name:
        raise InvalidToken("Token is not valid for this company.")
    return token


def refresh_token_rotate(*, raw_refresh: str, company) -> RefreshToken:
    """Blacklist the presented refresh token and issue a new pair for its (still active) user.

    The token's outstanding row is locked, so two concurrent refreshes with the same token cannot
    both succeed: the second finds it blacklisted."""
    token = _company_refresh_token(raw_refresh)
    with transaction.atomic():
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=token["jti"]).first()
        if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
            raise InvalidToken("Token is blacklisted")
        user = (
            User.objects.active()
            .of_company(company)
            .filter(pk=token[api_settings.USER_ID_CLAIM])
            .select_related("company")
            .first()
        )
        if user is None:
            raise InvalidToken("No active account found for the given token.")
        BlacklistedToken.objects.create(token=outstanding)
        return refresh_token_for(user)


def refresh_token_revoke(*, raw_refresh: str) -> None:
    """Log out: blacklist the refresh token so it can never be used again."""
    token = _company_refresh_token(raw_refresh)
    token.blacklist()
