#!/usr/bin/env bash
# System packages the project uses: Debian's Chromium (browser tests, PDF rendering), a CJK font,
# LibreOffice Writer and Calc (headless: legacy .doc / Kingsoft .wps plans and WPS .et spreadsheets in, 公文 .docx -> PDF out) and the free CJK
# fonts the 公文 fonts map to (tasks/documents/fonts.conf), and Caddy (the compose file's proxy: the login lockout
# test runs deploy/Caddyfile in front of the app).
# Installs them when missing and we are root; otherwise says what is missing and carries on.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need+=(fonts-wqy-microhei)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
# LibreOffice Calc (headless): Kingsoft WPS .et spreadsheets in (tasks/importers/sheets.py)
ls /usr/lib/libreoffice/program/libsclo.so >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
fc-list 2>/dev/null | grep -qi "Noto Serif CJK SC" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "AR PL UMing" || need+=(fonts-arphic-uming)
fc-list 2>/dev/null | grep -qi "AR PL UKai" || need+=(fonts-arphic-ukai)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v caddy >/dev/null 2>&1 || need+=(caddy)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1; } \
    || echo "WARNING: could not install ${need[*]}; browser tests, PDF output, .doc/.wps import and the proxy test will be skipped outside CI"
else
  echo "WARNING: missing ${need[*]} (not root); browser tests, PDF output, .doc/.wps import and the proxy test will be skipped outside CI"
fi
exit 0
