"""No secret is kept in the repository: every tracked file is scanned for keys, tokens and literal passwords."""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "URL with a password": re.compile(r"\b[a-z][a-z0-9+]*://[^/\s:@'\"]+:([^/\s@'\"$]{3,})@"),
    "literal secret": re.compile(
        r"""(?ix)\b[a-z_]*(?:secret|password|passwd|api_key|token)[a-z_]*\b["']?\s*[:=]\s*["']([^"'\s$]{6,})["']"""
    ),
}

# Values that are knowingly public: the test settings' key, the demo accounts' password (printed by
# `make run`), the placeholders docker-compose.yml asks a deployment to replace, and the password of its
# database container, which only the other containers reach.
KNOWN_PUBLIC = {
    "test-secret-key-not-for-production",
    "moonbase-demo-2026",
    "change-me-to-a-long-random-string-before-any-real-use",
    "insecure-development-key-change-me",
    "portal",
}
# Fixtures of the test suite: made-up passwords typed into forms.
SKIPPED_DIRECTORIES = ("tests/",)
BINARY_SUFFIXES = {".mo", ".png", ".jpg", ".ico", ".pdf", ".xlsx", ".woff", ".woff2", ".gz"}


def findings(path, text):
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(line):
                value = match.group(match.lastindex or 0)
                if value not in KNOWN_PUBLIC:
                    found.append(f"{path}:{number}: {kind}: {line.strip()[:120]}")
    return found


def tracked_files():
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
        ).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: nothing tracked to scan")
    return [name for name in listed if name]


def test_no_tracked_file_holds_a_secret():
    problems = []
    for name in tracked_files():
        path = ROOT / name
        if name.startswith(SKIPPED_DIRECTORIES) or path.suffix in BINARY_SUFFIXES or not path.is_file():
            continue
        problems += findings(name, path.read_text(encoding="utf-8", errors="replace"))
    assert not problems, "secrets in the repository:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "line",
    [
        "-----BEGIN RSA PRIVATE KEY-----",
        "AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'",
        'SECRET_KEY = "d8f7a6s5d4f3g2h1j0k9"',
        "EMAIL_URL=smtp://mailer:hunter22@mail.example.org:587",
        "  DB_PASSWORD: 'correct-horse-battery'",
        "token = 'ghp_" + "a" * 36 + "'",
    ],
)
def test_the_scan_finds_each_kind_of_secret(line):
    assert findings("settings.py", line)


@pytest.mark.parametrize(
    "line",
    [
        'SECRET_KEY = env("SECRET_KEY")',
        "password = forms.CharField(widget=forms.PasswordInput)",
        'SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")',
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/ilrs",
        'RATELIMIT_PASSWORD_RESET = env("RATELIMIT_PASSWORD_RESET", default="10/h")',
    ],
)
def test_the_scan_lets_configuration_without_secrets_pass(line):
    assert not findings("settings.py", line)
