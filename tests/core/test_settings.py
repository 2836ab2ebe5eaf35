import os
import subprocess
import sys

import pytest

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
