#!/usr/bin/env bash
# System packages the tests need: a real headless Chromium with a CJK font (page tests) and
# zbarimg (QR decoding). Installed with apt when missing and we are root; otherwise the page and
# QR tests skip with the reason (or fail under CI=true, where they are required).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
fc-list 2>/dev/null | grep -qi wqy || missing+=(fonts-wqy-zenhei)
command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql-client)
if ((${#missing[@]} == 0)); then exit 0; fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: missing system packages (${missing[*]}); not root or no apt-get, so the tests that" \
       "need them will skip with the reason (install them: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "==> installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
