"""The layer contract: only the outbox's channel modules talk to mail servers and HTTP APIs."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NETWORK = ("smtplib", "django.core.mail", "requests", "httpx", "urllib.request", "http.client", "urllib3")
CHANNELS = "tasks/notifications/channels/"
# Single sign-on asks the identity provider for its discovery document and keys; it messages nobody.
SIGN_ON = {"tasks/oidc.py": {"requests"}}


def network_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        found |= {n for n in names for net in NETWORK if n == net or n.startswith(net + ".")}
    return found


def test_only_channel_modules_import_mail_or_http_clients():
    offenders = {}
    for path in sorted([*ROOT.glob("tasks/**/*.py"), *ROOT.glob("housing/**/*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((CHANNELS, "tasks/tests/")):
            continue
        found = network_imports(path)
        found -= SIGN_ON.get(rel, set())
        if found:
            offenders[rel] = found
    assert offenders == {}, offenders
