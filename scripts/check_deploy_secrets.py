"""Refuse to start the Airflow stack with empty, placeholder or weak secrets (docker-compose.yml runs this first).

    python scripts/check_deploy_secrets.py        # reads the environment; exit 0 = fine, 1 = problems

Compose's ``${VAR:?}`` already stops an empty value; this catches what it cannot: the ``change-me``
values of ``.env.example``, a JWT secret shorter than 64 bytes (it signs every UI, API and task token
with HS512), a Fernet key that is not one, one value used for two secrets, a missing JWT issuer or
audience, and a metadata database or Redis broker reached without a password or with a weak one (the
passwords inside AIRFLOW__DATABASE__SQL_ALCHEMY_CONN and AIRFLOW__CELERY__BROKER_URL: Compose's old default
`airflow`, a broker with none). Each problem is one line on stderr naming the variable, never its value.

Standard library only: it runs before anything else in the image, and in the tests with any Python.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

FERNET_KEY = "AIRFLOW__CORE__FERNET_KEY"
JWT_SECRET = "AIRFLOW__API_AUTH__JWT_SECRET"
API_SECRET_KEY = "AIRFLOW__API__SECRET_KEY"
JWT_ISSUER = "AIRFLOW__API_AUTH__JWT_ISSUER"
JWT_AUDIENCE = "AIRFLOW__API_AUTH__JWT_AUDIENCE"
ADMIN_PASSWORD = "ADMIN_PASSWORD"
# URLs whose password is checked like a secret (named after the URL; the value is never printed).
DB_URL = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
BROKER_URL = "AIRFLOW__CELERY__BROKER_URL"
URL_PASSWORD_BYTES = 16

# Minimum length in bytes of each secret (HS512 wants a key at least as long as its 64-byte hash).
MIN_BYTES = {JWT_SECRET: 64, API_SECRET_KEY: 32, ADMIN_PASSWORD: 12}
# Words that mark a value as copied from an example rather than generated.
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "placeholder", "example", "replace", "secret", "password")
# Fewer distinct characters than this is a typed pattern (aaaa..., 1234...), not a generated secret.
MIN_DISTINCT_CHARS = 8


def is_placeholder(value: str) -> bool:
    lowered = value.strip().lower()
    return any(word in lowered for word in PLACEHOLDER_WORDS) or len(set(lowered)) < MIN_DISTINCT_CHARS


def fernet_problem(value: str) -> str | None:
    """Why `value` is not a Fernet key (url-safe base64 of 32 bytes), or None."""
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return "is not url-safe base64"
    if len(raw) != 32:
        return f"decodes to {len(raw)} bytes, not 32"
    return None


def _secret_problems(env: Mapping[str, str], name: str) -> list[str]:
    value = env.get(name, "")
    if not value.strip():
        return [f"{name} is empty"]
    problems = []
    if name == FERNET_KEY:
        reason = fernet_problem(value.strip())
        if reason:
            problems.append(f"{name} {reason}: generate one with Fernet.generate_key()")
    elif len(value.encode("utf-8")) < MIN_BYTES[name]:
        problems.append(f"{name} is shorter than {MIN_BYTES[name]} bytes")
    if is_placeholder(value):
        problems.append(f"{name} looks like a placeholder: generate a random value")
    return problems


def url_password(url: str) -> str:
    """The password in a service URL ("" when it has none)."""
    try:
        return unquote(urlsplit(url).password or "")
    except ValueError:
        return ""


def _url_problems(env: Mapping[str, str], name: str) -> list[str]:
    password = url_password(env[name])
    label = f"the password in {name}"
    if not password:
        return [f"{name} has no password: set one (.env)"]
    problems = []
    if len(password.encode("utf-8")) < URL_PASSWORD_BYTES:
        problems.append(f"{label} is shorter than {URL_PASSWORD_BYTES} bytes")
    if is_placeholder(password):
        problems.append(f"{label} looks like a placeholder: generate a random value")
    return problems


def problems(env: Mapping[str, str]) -> list[str]:
    """Everything wrong with the secrets in `env` (ADMIN_PASSWORD and the service URLs only when present)."""
    names = [FERNET_KEY, JWT_SECRET, API_SECRET_KEY] + ([ADMIN_PASSWORD] if ADMIN_PASSWORD in env else [])
    urls = [name for name in (DB_URL, BROKER_URL) if name in env]
    found = [p for name in names for p in _secret_problems(env, name)]
    found += [p for name in urls for p in _url_problems(env, name)]
    values = [env.get(name, "").strip() for name in names] + [url_password(env[name]) for name in urls]
    if len({v for v in values if v}) < len([v for v in values if v]):
        found.append("the same value is used for two secrets: give each its own")
    for name in (JWT_ISSUER, JWT_AUDIENCE):
        if not env.get(name, "").strip():
            found.append(f"{name} is empty: tokens would be accepted from any deployment sharing the secret")
    return found


def main(env: Mapping[str, str] | None = None) -> int:
    found = problems(os.environ if env is None else env)
    for line in found:
        print(f"refusing to start: {line}", file=sys.stderr)
    if not found:
        print("secrets: ok")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
