"""LibreOffice, headless, as the importers' converter of legacy formats (.doc/.wps to .docx, .et to .xlsx).

One conversion per call, with a profile of its own (parallel conversions neither share nor lock the user's
LibreOffice profile) and a time limit. Pure of Django, like the rest of ``importers``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CONVERT_TIMEOUT = 120  # seconds for one LibreOffice conversion


def soffice_binary() -> str | None:
    """LibreOffice's command, when installed (Debian: libreoffice-writer-nogui / -calc-nogui)."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(binary: str, source: Path, outdir: Path, *, target: str, suffix: str,
            filter_name: str | None = None) -> Path | None:
    """Convert ``source`` into ``outdir`` with LibreOffice's ``--convert-to target`` (``filter_name`` as the
    input filter); the output path, or None when LibreOffice produced nothing. Raises
    ``subprocess.TimeoutExpired`` after ``CONVERT_TIMEOUT`` seconds."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=outdir))
    command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", target, "--outdir", str(outdir)]
    if filter_name:
        command.append(f"--infilter={filter_name}")
    command.append(str(source))
    env = {**os.environ, "HOME": str(profile)}
    try:
        subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False, env=env)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / (source.stem + suffix)
    return out if out.exists() and out.stat().st_size > 0 else None
