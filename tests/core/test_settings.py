import importlib
import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher

from config.settings import base
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


def test_production_settings_refuse_to_start_without_a_secret_of_their_own():
    """The checkout's development key (`.data/secret_key`) is never good enough for production."""
    environ = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "DEBUG": "false"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY to a random value" in result.stderr


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


# --- The development key: random per checkout, never in the source --------------------------


def test_the_development_key_is_written_nowhere_in_the_source(settings):
    """A key in the source let anyone forge a token that `./scripts/run` accepted."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607
        capture_output=True,
        check=True,
        cwd=base.BASE_DIR,
    ).stdout.split(b"\0")
    key = settings.SECRET_KEY.encode()

    assert len(settings.SECRET_KEY) >= 50
    assert [
        name for name in tracked if name and key in (base.BASE_DIR / name.decode()).read_bytes()
    ] == []


def test_a_checkout_key_is_made_once_private_and_random(tmp_path):
    path = tmp_path / "data" / "secret_key"

    first = base.checkout_secret_key(path)

    assert len(first) >= 50
    assert path.stat().st_mode & 0o777 == 0o600
    assert base.checkout_secret_key(path) == first
    assert base.checkout_secret_key(tmp_path / "other" / "secret_key") != first
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]  # no drafts left


def test_a_checkout_key_that_cannot_be_written_is_empty(tmp_path):
    """In a read-only image: the production settings then refuse to start."""
    (tmp_path / "file").write_text("not a folder")
    assert base.checkout_secret_key(tmp_path / "file" / "secret_key") == ""


def test_the_development_server_listens_on_this_machine_only_unless_told():
    serve = importlib.import_module("scripts.serve")

    assert serve.web_command({})[-2:] == ["127.0.0.1:8000", "--noreload"]
    everywhere = "0.0.0.0"  # noqa: S104 - what a developer may ask for
    assert serve.web_command({"HOST": everywhere, "PORT": "9000"})[-2] == "0.0.0.0:9000"
