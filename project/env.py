"""Read settings from the environment, refusing values that cannot be right."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, schemes: tuple[str, ...]) -> str | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must start with one of {', '.join(s + '://' for s in schemes)}.")
    return value


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """The header a TLS-ending proxy sets to "https" (e.g. X-Forwarded-Proto), as Django's
    SECURE_PROXY_SSL_HEADER. Only set it when such a proxy strips the header from clients' requests."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    header = value.upper().replace("-", "_")
    if not header.replace("_", "").isalnum():
        raise ImproperlyConfigured(f"{name}={value!r} is not a header name (e.g. X-Forwarded-Proto).")
    return (header if header.startswith("HTTP_") else f"HTTP_{header}", "https")
