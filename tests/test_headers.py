"""Security headers on every response: a Content-Security-Policy without inline code, HSTS over TLS, no
copy of a page or a file in any cache; and templates that need no inline script or style."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from project.env import env_proxy_ssl_header
from tests.web.queues_scenario import make_scenario

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
# Rendered to PDF by WeasyPrint on the server, never shown by a browser: the CSP does not apply.
NOT_BROWSER_TEMPLATES = {"reports/bilan_pdf.html"}


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_policy_that_allows_only_the_sites_own_files(client):
    policy = directives(client.get(reverse("login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_error_pages_carry_the_policy_and_no_store_too(client):
    response = client.get("/adresse-inconnue/")
    assert response.status_code == 404
    assert directives(response)["script-src"] == ["'self'"]
    assert "no-store" in response.headers["Cache-Control"]


def test_pages_and_files_with_names_are_never_stored(client, geo):
    scenario = make_scenario(geo)
    client.force_login(scenario.coordinator)
    for url in (reverse("queues:list"), reverse("queues:export_csv"), reverse("queues:export_xlsx")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url
        assert "private" in response.headers["Cache-Control"], url
    client.force_login(scenario.sam)
    response = client.get(reverse("casework:household_detail", args=[scenario.durand.household_id]))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/parcours.css")
    b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_https_responses_ask_browsers_to_keep_to_https(client):
    response = client.get(reverse("login"), secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get(reverse("login")).headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_plain_http_is_redirected_to_https_when_asked(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response.url == "https://testserver/connexion/"


def test_the_proxy_header_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    assert env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "")
    assert env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER") is None
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    with pytest.raises(Exception, match="is not a header name"):
        env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")


def browser_templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        for path in sorted(folder.rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            if name not in NOT_BROWSER_TEMPLATES:
                yield name, path.read_text()


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def test_templates_hold_no_inline_script_handler_or_style():
    templates = dict(browser_templates())
    assert "base.html" in templates and len(templates) > 20
    offenders = [
        (name, pattern.pattern)
        for name, text in templates.items()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT)
        if pattern.search(text)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<span class="x" style="color:red">',
        "<style>p{}</style>",
    ],
)
def test_the_template_scan_catches_each_kind_of_inline_code(html):
    assert any(p.search(html) for p in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT))


def test_htmx_is_told_not_to_inject_its_inline_style(client):
    page = client.get(reverse("login")).content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in page
