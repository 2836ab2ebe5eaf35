from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models

from shared_apps.core.choices import Language

from .roles import Role

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{4,22}$", "Enter a phone number such as +996 555 123 456."
)


class UserQuerySet(models.QuerySet):
    def of_company(self, company) -> "UserQuerySet":
        return self.filter(company=company)

    def active(self) -> "UserQuerySet":
        return self.filter(is_active=True)

    def company_admins(self) -> "UserQuerySet":
        return self.filter(role=Role.COMPANY_ADMIN)

    def update(self, **kwargs) -> int:
        """Update, and forget the users' cached rows (`user_cache`): an update sends no
        signal, and a deactivation or a role change must hold from the next request."""
        from .user_cache import users_forget

        user_ids = list(self.values_list("pk", flat=True))
        updated = super().update(**kwargs)
        users_forget(user_ids)
        return updated


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in: a member of one company, or platform staff with no company."""

    company = models.ForeignKey(
        "companies.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.GUEST)
    region = models.CharField(max_length=32, blank=True, help_text="Region code.")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.RU)
    phone = models.CharField(max_length=32, blank=True, validators=[phone_validator])
    notify_email = models.BooleanField(
        default=True, help_text="Send the reminder digests by e-mail too (in-app always)."
    )
    token_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Copied into every token issued; a token of an older version is refused.",
    )

    objects = UserManager()

    class Meta:
        constraints = [
            # Only platform staff may exist outside a company.
            models.CheckConstraint(
                condition=models.Q(company__isnull=False) | models.Q(is_staff=True),
                name="user_has_company_or_is_platform_staff",
            ),
        ]
        indexes = [models.Index(fields=["company", "role"])]

    def __str__(self) -> str:
        return self.username

    def save(self, *args, **kwargs) -> None:
        """Save; a new password or a deactivation also revokes every token issued before it.

        Here rather than in a service so that every path is covered: the API's user services,
        the Django admin's user and password forms, `manage.py changepassword`. `_password` is
        what Django's own `password_changed` hook reads: set by `set_password()`, and cleared
        for the silent re-hash at login, which must revoke nothing. Saving an inactive user
        bumps the version again, which is harmless: its tokens are refused anyway. The
        increment is done by the database, so concurrent revocations never merge into one."""
        revokes_tokens = not self._state.adding and (
            self._password is not None or not self.is_active
        )
        if revokes_tokens:
            self.token_version = models.F("token_version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "token_version"}
        super().save(*args, **kwargs)
        if revokes_tokens:
            self.refresh_from_db(fields=["token_version"])
