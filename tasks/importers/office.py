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

import os
import shutil
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
        run_contained(command, timeout=timeout, env=hardened_env(profile))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / (source.stem + suffix)
    return out if out.exists() and out.stat().st_size > 0 else None
