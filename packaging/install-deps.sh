#!/usr/bin/env bash
# Installs the Debian 12 packages AECNN Studio needs, and nothing else.
# Idempotent and non-interactive: packages already present are left alone and
# `apt-get update` runs at most once, only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config git
  qt6-base-dev libqcustomplot-dev libqt6svg6
  libtorch-dev libopencv-dev libzstd-dev zlib1g-dev libssl-dev
  dataset-fashion-mnist
  xvfb xauth
)

# --with-slurm: also Slurm and munge, for tests/sweep/slurm_localhost.sh (skipped without them).
for arg in "$@"; do
  case "$arg" in
    --with-slurm) packages+=(slurm-wlm munge) ;;
    *) echo "install-deps: unknown option '$arg' (valid: --with-slurm)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run this script as root (or install them with sudo apt-get install)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
