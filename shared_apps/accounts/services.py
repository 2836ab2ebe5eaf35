"""Writes on company users. Every function keeps the rule that a company always has at least
one active COMPANY_ADMIN; the company row is locked while that is checked, so two admins
demoting each other at the same moment cannot both succeed."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shared_apps.companies.models import Company

from .models import User
from .roles import Role

PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "language", "region")
PROFILE_FIELDS = (*PERSONAL_FIELDS, "notify_email")  # whether to be e-mailed is one's own choice
ADMIN_EDITABLE_FIELDS = (*PERSONAL_FIELDS, "role", "is_active")


def _validate_new_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _ensure_company_keeps_an_admin(user: User, *, new_role: str, new_is_active: bool) -> None:
    loses_admin = user.role == Role.COMPANY_ADMIN and user.is_active
    stays_admin = new_role == Role.COMPANY_ADMIN and new_is_active
    if not loses_admin or stays_admin:
        return
    Company.objects.select_for_update().get(pk=user.company_id)
    other_admins = (
        User.objects.of_company(user.company_id).company_admins().active().exclude(pk=user.pk)
    )
    if not other_admins.exists():
        attr = "role" if new_is_active else "is_active"
        message = _("The company must keep at least one active company admin.")
        raise ValidationError({attr: ValidationError(message, code="last_company_admin")})


def user_create(*, company: Company, password: str, **fields) -> User:
    user = User(company=company, **fields)
    user.full_clean(exclude=["password"])
    _validate_new_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # A concurrent request took the username between validation and insert.
        message = _("A user with that username already exists.")
        raise ValidationError({"username": ValidationError(message, code="unique")}) from exc
    return user


@transaction.atomic
def user_update(*, user: User, password: str | None = None, **changes) -> User:
    """Change a user's profile, role or active flag (COMPANY_ADMIN) and optionally the password.
    A new password or a deactivation revokes the user's tokens (`User.save`)."""
    unknown = set(changes) - set(ADMIN_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    _ensure_company_keeps_an_admin(
        user,
        new_role=changes.get("role", user.role),
        new_is_active=changes.get("is_active", user.is_active),
    )
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    if password is not None:
        _validate_new_password(password, user)
        user.set_password(password)
    user.save()
    return user


def user_deactivate(*, user: User) -> User:
    """Deactivate (never delete: the user's history keeps pointing at them); tokens stop at once."""
    return user_update(user=user, is_active=False)


def user_profile_update(*, user: User, **changes) -> User:
    """A user's own profile: never the role, the company or the active flag."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by the user: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    if changes:
        user.save(update_fields=list(changes))
    return user
