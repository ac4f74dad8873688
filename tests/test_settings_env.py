"""The settings helpers refuse values that cannot be right, with the variable's name in the message."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from project.env import env_bool, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("ON", True), ("false", False), ("0", False), ("", False)]
)
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("PARCOURS_FLAG", raw)
    assert env_bool("PARCOURS_FLAG", not expected) is expected


def test_a_bad_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("PARCOURS_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="PARCOURS_FLAG='peut-être' is not a boolean"):
        env_bool("PARCOURS_FLAG", False)


def test_integers_lists_and_defaults(monkeypatch):
    monkeypatch.delenv("PARCOURS_N", raising=False)
    assert env_int("PARCOURS_N", 30) == 30
    monkeypatch.setenv("PARCOURS_N", "45")
    assert env_int("PARCOURS_N", 30) == 45
    monkeypatch.setenv("PARCOURS_N", "trente")
    with pytest.raises(ImproperlyConfigured, match="PARCOURS_N='trente' is not an integer"):
        env_int("PARCOURS_N", 30)
    monkeypatch.setenv("PARCOURS_HOSTS", " a.fr, ,b.fr ")
    assert env_list("PARCOURS_HOSTS", []) == ["a.fr", "b.fr"]


def test_a_required_variable_is_required(monkeypatch):
    monkeypatch.delenv("PARCOURS_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="PARCOURS_SECRET is required"):
        env_str("PARCOURS_SECRET")


def test_urls_need_a_known_scheme(monkeypatch):
    monkeypatch.setenv("PARCOURS_DB", "mysql://localhost/x")
    with pytest.raises(ImproperlyConfigured, match="PARCOURS_DB must start with one of postgres://"):
        env_url("PARCOURS_DB", ("postgres", "postgresql", "sqlite"))
    monkeypatch.setenv("PARCOURS_DB", "")
    assert env_url("PARCOURS_DB", ("postgres",)) is None


def test_the_web_server_refuses_to_start_without_a_secret_key():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "project.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import project.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY is required." in result.stderr


def test_the_web_server_freezes_what_it_loaded_before_its_first_request():
    """project.startup.settle: the objects of the start are out of the garbage collector's full walks."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "SECRET_KEY": "test-startup-freeze",
        "DEBUG": "true",
    }
    code = "import gc, sys, project.wsgi; print(gc.get_freeze_count(), 'web.urls' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    frozen, views_loaded = result.stdout.split()
    assert int(frozen) > 100_000
    assert views_loaded == "True"


def test_a_steering_inactivity_below_one_day_stops_the_start():
    """Read at every write of a pathway (the read model's active periods): refused when the process starts,
    never on a caseworker's save."""
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "project.settings", "DEBUG": "true"}
    code = "import django; django.setup()"
    refused = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "STEERING_INACTIVE_DAYS": "0"},
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "STEERING_INACTIVE_DAYS=0 must be a number of days of at least 1." in refused.stderr
    accepted = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "STEERING_INACTIVE_DAYS": "30"},
        capture_output=True,
        text=True,
    )
    assert accepted.returncode == 0, accepted.stderr
