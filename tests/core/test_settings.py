import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher

from tests.factories import UserFactory

GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"


def check_prod(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": "short", "DEBUG": "false"}, "Set SECRET_KEY to a random value"),
        ({"SECRET_KEY": "", "DEBUG": "false"}, "Set SECRET_KEY to a random value"),
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "true"}, "DEBUG must be off in production"),
    ],
)
def test_production_settings_refuse_unsafe_configuration(env, message):
    result = check_prod(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_start_with_a_real_secret():
    result = check_prod(SECRET_KEY=GOOD_KEY, DEBUG="false")
    assert result.returncode == 0, result.stderr


def test_passwords_are_argon2_and_older_pbkdf2_hashes_are_upgraded_at_login(acme, settings):
    from config.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = UserFactory(company=acme, password="unused")
    user.password = PBKDF2PasswordHasher().encode("S3cret-pass!", "fixedsalt1234567")
    user.save(update_fields=["password"])

    assert user.check_password("S3cret-pass!")  # what a login does: re-hashed and saved
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("S3cret-pass!")
    assert not user.check_password("s3cret-pass!")
