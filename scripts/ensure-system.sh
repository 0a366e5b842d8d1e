#!/usr/bin/env bash
# System packages the tests need: a real headless Chromium with a CJK font (page tests),
# zbarimg (QR decoding) and nginx (the production profile's load balancer, started by the
# launcher as its own child; never as a system service). Installed with apt when missing and we are root; otherwise the page and
# QR tests skip with the reason (or fail under CI=true, where they are required).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
fc-list 2>/dev/null | grep -qi wqy || missing+=(fonts-wqy-zenhei)
command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql-client)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if ((${#missing[@]} == 0)); then exit 0; fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: missing system packages (${missing[*]}); not root or no apt-get, so the tests that" \
       "need them will skip with the reason (install them: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "==> installing system packages: ${missing[*]}"
# Debian's postinst would start a system-wide nginx on :80: a policy-rc.d that refuses every
# service start (exit 101) during the install, removed afterwards unless it was already there.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# the launcher runs nginx in the foreground with its own configuration; none runs system-wide
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled nginx >/dev/null 2>&1; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
fi
