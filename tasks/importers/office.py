"""LibreOffice, headless, as the importers' converter of legacy formats (.doc/.wps to .docx, .et to .xlsx).

One conversion per call, with a profile of its own (parallel conversions neither share nor lock the user's
LibreOffice profile) and a time limit. Pure of Django, like the rest of ``importers``.

An uploaded document is hostile until read: LibreOffice, left to its defaults, follows what a document links to
while it converts it (a Word ``INCLUDEPICTURE "http://…" \\d`` field is fetched on load, even to plain text), so
an upload could make the server request any address it can reach (loopback, the internal network, a cloud's
metadata service). Every conversion therefore runs with ``hardened_profile``: all of LibreOffice's network
access goes through a proxy that does not exist (``NO_NETWORK_PROXY``: in the profile and in the proxy
variables of its environment), links are never updated on load (Writer and Calc), macros never run, and links
from untrusted documents are blocked. The document converts from what it stores; what it links to is not read.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .processes import run_contained

CONVERT_TIMEOUT = 120  # seconds for one LibreOffice conversion

# A proxy nobody serves: port 1 on loopback (binding it needs root). Connections are refused at once, so a
# linked http/https/ftp/WebDAV address fails without a request leaving the process.
NO_NETWORK_PROXY = ("127.0.0.1", 1)

# LibreOffice's settings for a conversion of an untrusted file (registrymodifications.xcu of the profile).
# Writer's Content/Update/Link: 0 = never update links (sw linkenum); Calc's: 1 = never (ScLkUpdMode).
_SETTINGS = (
    ("org.openoffice.Inet/Settings", "ooInetProxyType", 1),  # manual proxy, used for every scheme below
    ("org.openoffice.Inet/Settings", "ooInetHTTPProxyName", NO_NETWORK_PROXY[0]),
    ("org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", NO_NETWORK_PROXY[1]),
    ("org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", NO_NETWORK_PROXY[0]),
    ("org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", NO_NETWORK_PROXY[1]),
    ("org.openoffice.Inet/Settings", "ooInetFTPProxyName", NO_NETWORK_PROXY[0]),
    ("org.openoffice.Inet/Settings", "ooInetFTPProxyPort", NO_NETWORK_PROXY[1]),
    ("org.openoffice.Inet/Settings", "ooInetNoProxy", ""),  # no address bypasses it, loopback included
    ("org.openoffice.Office.Writer/Content/Update", "Link", 0),
    ("org.openoffice.Office.Calc/Content/Update", "Link", 1),
    ("org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", 3),
    ("org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", True),
    ("org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", True),
)


def _xcu_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def hardened_profile(profile: Path) -> Path:
    """Write the settings of an untrusted conversion into the (new, empty) LibreOffice profile folder
    ``profile``; the folder, to be passed as ``-env:UserInstallation``."""
    items = "".join(
        f'<item oor:path="/{path}"><prop oor:name="{name}" oor:op="fuse"><value>{_xcu_value(value)}</value>'
        f"</prop></item>\n"
        for path, name, value in _SETTINGS)
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + items + "</oor:items>\n", encoding="utf-8")
    return profile


def hardened_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a conversion: HOME of its own, and every proxy variable pointing at
    ``NO_NETWORK_PROXY`` (libcurl and GIO read these when the profile's proxy is not consulted)."""
    proxy = "http://{}:{}".format(*NO_NETWORK_PROXY)
    env = {key: value for key, value in os.environ.items() if key.lower() != "no_proxy"}
    for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        env[name] = env[name.upper()] = proxy
    env["HOME"] = str(home)
    env.update(extra)
    return env


#: ``OFFICE_NETWORK_NAMESPACE``: ``auto`` (the default) runs LibreOffice in a network namespace of its own (no
#: interface but its own loopback: nothing of the host or its network is reachable, whatever the profile says)
#: where the system allows one (``unshare``; Docker's default seccomp profile may not), else without;
#: ``require`` refuses to convert without one; ``off`` never makes one.
NETWORK_NAMESPACE_ENV = "OFFICE_NETWORK_NAMESPACE"


class NoNetworkNamespace(RuntimeError):
    """``OFFICE_NETWORK_NAMESPACE=require`` and no network namespace could be made here."""


@functools.lru_cache(maxsize=4)
def _namespace_prefix(mode: str) -> tuple[str, ...]:
    if mode == "off":
        return ()
    unshare = shutil.which("unshare")
    candidates = [(unshare, "--net"), (unshare, "--map-root-user", "--net")] if unshare else []
    if os.geteuid() != 0:
        candidates.reverse()  # without root, only a user namespace of its own may make a network one
    for prefix in candidates:
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return tuple(prefix)
    if mode == "require":
        raise NoNetworkNamespace("OFFICE_NETWORK_NAMESPACE=require: unshare --net is not allowed here")
    return ()


def isolated(command: list[str]) -> list[str]:
    """``command`` run in a network namespace of its own where one can be made (``NETWORK_NAMESPACE_ENV``):
    every LibreOffice run on a document people wrote goes through it, beside the hardened profile."""
    mode = os.environ.get(NETWORK_NAMESPACE_ENV, "auto").strip().lower() or "auto"
    return [*_namespace_prefix(mode), *command]


def soffice_binary() -> str | None:
    """LibreOffice's command, when installed (Debian: libreoffice-writer-nogui / -calc-nogui)."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(binary: str, source: Path, outdir: Path, *, target: str, suffix: str,
            filter_name: str | None = None, timeout: float = CONVERT_TIMEOUT) -> Path | None:
    """Convert ``source`` into ``outdir`` with LibreOffice's ``--convert-to target`` (``filter_name`` as the
    input filter), in a ``hardened_profile``; the output path, or None when LibreOffice produced nothing.
    Raises ``subprocess.TimeoutExpired`` after ``timeout`` seconds (``CONVERT_TIMEOUT`` unless given), with
    every LibreOffice process of the conversion killed (``processes.run_contained``)."""
    profile = hardened_profile(Path(tempfile.mkdtemp(prefix="lo-profile-", dir=outdir)))
    command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", target, "--outdir", str(outdir)]
    if filter_name:
        command.append(f"--infilter={filter_name}")
    command.append(str(source))
    try:
        run_contained(isolated(command), timeout=timeout, env=hardened_env(profile))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / (source.stem + suffix)
    return out if out.exists() and out.stat().st_size > 0 else None
