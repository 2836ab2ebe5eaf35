"""JWTs bound to a company and to the user's token version, and the rules that refuse them.

Every token carries the company (schema) it was issued on and the user's `token_version`
(bumped by a password change or a deactivation, see `User.save`), so a token issued before
either is refused: refresh tokens, and access tokens too (the user row that every request reads
anyway holds the version; `user_cache` forgets it at every write), so a stolen pair stops at
once. A refusal is a 401 with one of three codes that tell the client what to do:
`token_expired` (refresh the access token; for a refresh token: log in), `token_revoked` and
`token_not_valid` (log in again).

A rotated refresh token presented again within `JWT_REFRESH_GRACE_SECONDS` gets the very pair
its rotation gave (tabs refreshing at once all stay logged in). That answer is kept in the cache
(per company, keyed by the old token's id) and written under the old token's row lock, before
the rotation commits. Without the cache (Redis down) there is no grace: the reuse is refused."""

import logging
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from .models import User
from .user_cache import user_by_id

logger = logging.getLogger(__name__)

COMPANY_CLAIM = "company"
VERSION_CLAIM = "token_version"

# The 401 codes of a refused token (also listed in shared_apps.core.openapi.ErrorCode401Enum).
TOKEN_EXPIRED = "token_expired"  # noqa: S105 - error codes, not secrets
TOKEN_REVOKED = "token_revoked"  # noqa: S105
TOKEN_NOT_VALID = "token_not_valid"  # noqa: S105
TOKEN_ERROR_CODES = (TOKEN_EXPIRED, TOKEN_REVOKED, TOKEN_NOT_VALID)


def _expired() -> AuthenticationFailed:
    return AuthenticationFailed(_("The token has expired."), code=TOKEN_EXPIRED)


def _revoked() -> AuthenticationFailed:
    return AuthenticationFailed(_("The token has been revoked; log in again."), code=TOKEN_REVOKED)


def _not_valid() -> AuthenticationFailed:
    return AuthenticationFailed(_("The token is not valid."), code=TOKEN_NOT_VALID)


def _not_for_this_company() -> AuthenticationFailed:
    return AuthenticationFailed(_("Token is not valid for this company."), code=TOKEN_NOT_VALID)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


class _PresentedRefreshToken(RefreshToken):
    """A refresh token as presented, verified except for simplejwt's own blacklist lookup: the
    callers look at the blacklist under the token's row lock, where a token rotated moments ago
    (within its grace) is told apart from a revoked one."""

    def check_blacklist(self) -> None:
        pass


def refresh_token_for(user: User) -> RefreshToken:
    """A new refresh token (its access token inherits the claims) for `user` of its company."""
    token = RefreshToken.for_user(user)
    token[COMPANY_CLAIM] = user.company.schema_name
    token[VERSION_CLAIM] = user.token_version
    return token


def token_pair_for(user: User) -> TokenPair:
    refresh = refresh_token_for(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _token_parse(token_class: type[Token], raw: str | bytes, *, company) -> Token:
    """Check the signature, the expiry, the type and the company of a presented token."""
    try:
        token = token_class(raw)
    except ExpiredTokenError as exc:  # only once the signature checked out
        raise _expired() from exc
    except TokenError as exc:
        raise _not_valid() from exc
    if company is None or token.get(COMPANY_CLAIM) != company.schema_name:
        raise _not_for_this_company()
    return token


def access_token_parse(raw: str | bytes, *, company) -> AccessToken:
    return _token_parse(AccessToken, raw, company=company)


def token_user(token: Token, *, company, cached: bool = False) -> User:
    """The user the token was issued to, while still an active member of `company` whose tokens
    have not been revoked since (a password change, a deactivation). `cached`: the user's row
    may come from `user_cache` (every write of a user forgets it), as for every request;
    refreshing and logging out read the database."""
    try:
        user_pk = int(token[api_settings.USER_ID_CLAIM])
    except (KeyError, TypeError, ValueError) as exc:
        raise _not_valid() from exc
    user = user_by_id(user_pk) if cached else User.objects.filter(pk=user_pk).first()
    # Tokens issued before versions existed count as version 0 (no revocation since).
    if (
        user is None
        or not user.is_active
        or company is None
        or user.company_id != company.pk
        or token.get(VERSION_CLAIM, 0) != user.token_version
    ):
        raise _revoked()
    user.company = company  # the host's company, loaded already
    return user


def _grace_key(jti: str) -> str:
    return f"refresh-grace:{jti}"  # the cache's key function adds the company's schema


def _grace_store(jti: str, pair: TokenPair, *, successor_jti: str) -> None:
    value = {"access": pair.access, "refresh": pair.refresh, "jti": successor_jti}
    try:
        cache.set(_grace_key(jti), value, timeout=settings.JWT_REFRESH_GRACE_SECONDS)
    except redis.RedisError:
        logger.warning("refresh grace not stored: cache unavailable")


def _grace_successor(jti: str) -> dict | None:
    """What the rotation of token `jti` gave, if that was within the grace and the new refresh
    token has not been blacklisted since (logged out, or rotated in turn)."""
    try:
        stored = cache.get(_grace_key(jti))
    except redis.RedisError:
        logger.warning("refresh grace not looked up: cache unavailable")
        return None
    if stored is None or BlacklistedToken.objects.filter(token__jti=stored["jti"]).exists():
        return None
    return stored


def _locked_outstanding(token: Token) -> tuple[OutstandingToken, bool]:
    """The presented refresh token's row, locked until the transaction ends, and whether it is
    blacklisted. A token of ours with no row (flushed after expiry) counts as revoked."""
    jti = token[api_settings.JTI_CLAIM]
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=jti).first()
    if outstanding is None:
        raise _revoked()
    return outstanding, BlacklistedToken.objects.filter(token=outstanding).exists()


def refresh_token_rotate(*, raw_refresh: str, company) -> TokenPair:
    """Blacklist the presented refresh token and issue a new pair for its (still active) user.

    The token's outstanding row is locked, so concurrent refreshes with the same token rotate it
    once; the others wait for the lock and, within the grace, get the same pair."""
    token = _token_parse(_PresentedRefreshToken, raw_refresh, company=company)
    jti = token[api_settings.JTI_CLAIM]
    with transaction.atomic():
        outstanding, blacklisted = _locked_outstanding(token)
        user = token_user(token, company=company)
        if blacklisted:
            successor = _grace_successor(jti)
            if successor is None:
                raise _revoked()
            return TokenPair(access=successor["access"], refresh=successor["refresh"])
        BlacklistedToken.objects.create(token=outstanding)
        refresh = refresh_token_for(user)
        pair = TokenPair(access=str(refresh.access_token), refresh=str(refresh))
        # Before the commit: a request waiting for the lock must find it once it gets the lock.
        _grace_store(jti, pair, successor_jti=refresh[api_settings.JTI_CLAIM])
        return pair


def refresh_token_revoke(*, raw_refresh: str, company) -> None:
    """Log out: blacklist the refresh token so it can never be used again. A token rotated
    within the grace logs out the token that replaced it (a tab still holding the old token
    ends the session, not only itself)."""
    token = _token_parse(_PresentedRefreshToken, raw_refresh, company=company)
    jti = token[api_settings.JTI_CLAIM]
    with transaction.atomic():
        outstanding, blacklisted = _locked_outstanding(token)
        token_user(token, company=company)
        if not blacklisted:
            BlacklistedToken.objects.create(token=outstanding)
            return
        successor = _grace_successor(jti)
        if successor is None:
            raise _revoked()
        successor_row = OutstandingToken.objects.filter(jti=successor["jti"]).first()
        if successor_row is not None:
            BlacklistedToken.objects.get_or_create(token=successor_row)
