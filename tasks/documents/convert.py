"""A .docx to PDF with LibreOffice headless (Debian's libreoffice-writer-nogui), and PDF pages to PNG.

The official 公文 fonts are not free; ``fonts.conf`` (loaded through ``FONTCONFIG_FILE`` for soffice only)
maps them to free ones from Debian packages, which the PDF then embeds:

    方正小标宋简体 → Noto Serif CJK SC Bold (fonts-noto-cjk)
    仿宋_GB2312    → AR PL UMing CN (fonts-arphic-uming)
    楷体_GB2312    → AR PL UKai CN (fonts-arphic-ukai)
    黑体           → Noto Sans CJK SC (fonts-noto-cjk)
    宋体 (page numbers) → Noto Serif CJK SC
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tasks.importers.office import NoNetworkNamespace, hardened_env, hardened_profile, isolated
from tasks.importers.processes import run_contained

FONTS_CONF = Path(__file__).with_name("fonts.conf")


class ConversionUnavailable(RuntimeError):
    """No LibreOffice here, or it failed to convert."""


def soffice_path() -> str | None:
    return os.environ.get("SOFFICE_PATH") or shutil.which("soffice") or shutil.which("libreoffice")


def _run(command: list[str], folder: Path, timeout: int) -> subprocess.CompletedProcess:
    # A private profile and HOME per run: two conversions at once must not share LibreOffice's lock. The
    # profile is the importers' hardened one (no network, no link updates, no macros): a document holds text
    # people typed, and LibreOffice must not fetch what it may link to.
    env = hardened_env(folder, FONTCONFIG_FILE=str(FONTS_CONF), SAL_USE_VCLPLUGIN="svp")
    try:
        # In a network namespace of its own where one can be made; all of LibreOffice stopped past the time.
        return run_contained(isolated(command), timeout=timeout, env=env, cwd=folder)
    except (OSError, subprocess.TimeoutExpired, NoNetworkNamespace) as exc:
        raise ConversionUnavailable(f"LibreOffice did not run: {exc}") from exc


def convert(data: bytes, *, source_ext: str, target: str, timeout: int = 180) -> bytes:
    """Convert ``data`` (a file with extension ``source_ext``) to ``target`` (e.g. ``pdf``, ``docx``)."""
    binary = soffice_path()
    if not binary:
        raise ConversionUnavailable("LibreOffice is not installed (run `make sysdeps`).")
    with tempfile.TemporaryDirectory(prefix="gongwen-") as tmp:
        folder = Path(tmp)
        source = folder / f"in.{source_ext}"
        source.write_bytes(data)
        out = folder / "out"
        out.mkdir()
        profile = hardened_profile(folder / "profile")
        result = _run(
            [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--nolockcheck", "--convert-to", target, "--outdir", str(out), str(source)],
            folder, timeout,
        )
        produced = out / f"in.{target.split(':')[0]}"
        if not produced.exists() or produced.stat().st_size == 0:
            tail = (result.stderr or result.stdout).decode("utf-8", "replace")[-500:]
            raise ConversionUnavailable(f"LibreOffice did not convert (exit {result.returncode}): {tail}")
        return produced.read_bytes()


def docx_to_pdf(data: bytes) -> bytes:
    return convert(data, source_ext="docx", target="pdf")


def pdf_page_png(pdf: bytes, *, page: int = 1, dpi: int = 80) -> bytes:
    """One page of a PDF as PNG (pdftoppm, poppler-utils), for a person to review the layout."""
    binary = shutil.which("pdftoppm")
    if not binary:
        raise ConversionUnavailable("pdftoppm is not installed (poppler-utils).")
    with tempfile.TemporaryDirectory(prefix="gongwen-png-") as tmp:
        folder = Path(tmp)
        (folder / "in.pdf").write_bytes(pdf)
        subprocess.run([binary, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                        str(folder / "in.pdf"), str(folder / "page")], check=True, capture_output=True, timeout=60)
        return (folder / "page.png").read_bytes()
