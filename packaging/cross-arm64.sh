#!/usr/bin/env bash
# Cross-builds the device agent for arm64 (Raspberry Pi with a 64-bit OS) on Debian 12 x86_64
# and packages it: build-arm64/packages/aecnn-agent_<version>_arm64.deb.
#
#   packaging/cross-arm64.sh [--jobs N] [--out DIR] [--no-install] [--no-package]
#
#   --jobs N       parallel compile jobs (default 1; the compiles run under nice -n 10)
#   --out DIR      build folder (default build-arm64/ in the source tree; git-ignored)
#   --no-install   do not apt-get install the cross toolchain / add the arm64 architecture
#                  (they must be there already)
#   --no-package   stop after building aecnn-agent
#
# Steps (each one is skipped when its result is already there, so re-running is cheap):
#  1. as root: dpkg --add-architecture arm64, apt-get update, apt-get install
#     crossbuild-essential-arm64 qemu-user-static (the latter for test_agent_arm64_qemu)
#     and the host tools (cmake, ninja, qt6-base-dev-tools for moc).
#  2. sysroot (OUT/sysroot): no arm64 package is installed on this machine. apt computes the
#     runtime closure of the libraries the agent links (libtorch1.13, Qt 6 Core/Network,
#     OpenCV core/imgproc/imgcodecs/videoio, libssl3, libzstd1, zlib1g) against an empty
#     package database; those .debs plus the few -dev packages whose headers and CMake
#     files the build reads (not their closure: with it, 444 arm64 packages)
#     are fetched with apt-get download into OUT/debs and unpacked with dpkg -x.
#  3. configure (packaging/cmake/aarch64-linux-gnu.cmake, -DAECNN_AGENT_ONLY=ON) and build
#     aecnn-agent; checks that it is an aarch64 ELF.
#  4. cpack -> OUT/packages/aecnn-agent_<version>_arm64.deb; its Depends (packaging/cpack.cmake)
#     are checked against the packages that own the libraries the binary NEEDs in the sysroot.
set -euo pipefail
trap 'echo "cross-arm64.sh: failed at line $LINENO (exit $?); log: ${LOG:-}" >&2' ERR

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build-arm64
JOBS=1
INSTALL=1
PACKAGE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) JOBS=${2:?--jobs needs a number}; shift 2 ;;
    --jobs=*) JOBS=${1#--jobs=}; shift ;;
    --out) OUT=$(realpath -m "${2:?--out needs a folder}"); shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --no-package) PACKAGE=0; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "cross-arm64.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$JOBS" in ''|*[!0-9]*|0) echo "cross-arm64.sh: --jobs must be a positive number, got '$JOBS'" >&2; exit 2 ;; esac

SYSROOT=$OUT/sysroot
DEBS=$OUT/debs
LOG=$OUT/cross-arm64.log
mkdir -p "$OUT" "$DEBS"
say() { printf '%s cross-arm64: %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$LOG"; }
die() { printf 'cross-arm64.sh: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

# Libraries the agent links (CMake targets of app/agent and the rooms below it).
RUNTIME_ROOTS=(libtorch1.13 libqt6core6 libqt6network6 libopencv-core406 libopencv-imgproc406
               libopencv-imgcodecs406 libopencv-videoio406 libssl3 libzstd1 zlib1g libstdc++6 libgcc-s1 libc6)
# Headers and CMake package files the configure and compile read, without their own
# dependencies. libstdc++ and libc headers come with the cross compiler.
# Torch's CMake config looks for gflags, glog (their headers are included by c10) and protobuf;
# Qt6::Core names the mkspecs folder of qmake6 as an include directory.
DEV_PACKAGES=(libtorch-dev qt6-base-dev libopencv-dev libopencv-core-dev libopencv-imgproc-dev
              libopencv-imgcodecs-dev libopencv-videoio-dev libzstd-dev zlib1g-dev libssl-dev
              libgflags-dev libgoogle-glog-dev libprotobuf-dev qmake6)
# OpenCV's CMake export checks that every module's library exists, linked or not: the
# modules the agent does not link are unpacked too (without their dependencies).
OPENCV_MODULES=(calib3d contrib core dnn features2d flann highgui imgcodecs imgproc ml objdetect photo
                shape stitching superres video videoio videostab viz)

apt_retry() { # apt-get waits for the dpkg/apt lock (others may be installing) up to 10 min
  apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# ---- 1. toolchain ---------------------------------------------------------------------
if [ "$INSTALL" = 1 ]; then
  need_pkgs=()
  for p in crossbuild-essential-arm64 qemu-user-static cmake ninja-build qt6-base-dev-tools dpkg-dev file; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
  done
  added_arch=0
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    [ "$(id -u)" = 0 ] || die "needs root once to add the arm64 architecture and install the cross toolchain (or --no-install)"
    say "dpkg --add-architecture arm64"
    dpkg --add-architecture arm64
    added_arch=1
  fi
  if [ "$added_arch" = 1 ] || ! apt-cache show libtorch1.13:arm64 >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "needs root to run apt-get update for the arm64 package lists (or --no-install)"
    say "apt-get update (arm64 package lists)"
    apt_retry update -q >>"$LOG" 2>&1 || die "apt-get update failed (see $LOG)"
  fi
  if [ ${#need_pkgs[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "needs root to install: ${need_pkgs[*]} (or install them and use --no-install)"
    say "apt-get install ${need_pkgs[*]}"
    t0=$(now)
    DEBIAN_FRONTEND=noninteractive apt_retry install -y --no-install-recommends "${need_pkgs[@]}" >>"$LOG" 2>&1 ||
      die "apt-get install ${need_pkgs[*]} failed (see $LOG)"
    say "toolchain installed in $(( $(now) - t0 )) s"
  fi
fi
command -v aarch64-linux-gnu-g++ >/dev/null || die "aarch64-linux-gnu-g++ missing: apt-get install crossbuild-essential-arm64"
dpkg --print-foreign-architectures | grep -qx arm64 || die "the arm64 architecture is not enabled: dpkg --add-architecture arm64 && apt-get update"
apt-cache show libtorch1.13:arm64 >/dev/null 2>&1 || die "no arm64 package lists: apt-get update"

# ---- 2. sysroot -----------------------------------------------------------------------
# The package list: arm64 packages of the runtime closure (an empty status file makes apt
# resolve as for a bare machine; arch-all and amd64 entries are data or host packages), then
# the -dev packages and the remaining OpenCV modules.
compute_package_list() {
  local state=$OUT/apt-state
  mkdir -p "$state/archives/partial"
  : >"$state/status"
  local roots=()
  for p in "${RUNTIME_ROOTS[@]}"; do roots+=("$p:arm64"); done
  apt-get -s -q -o Dir::State::status="$state/status" -o Dir::Cache::archives="$state/archives" \
      -o Debug::NoLocking=1 -o APT::Install-Recommends=false install "${roots[@]}" 2>>"$LOG" |
    awk '/^Inst / {print $2}' | grep ':arm64$' | sed 's/:arm64$//'
  printf '%s\n' "${DEV_PACKAGES[@]}"
  for m in "${OPENCV_MODULES[@]}"; do echo "libopencv-${m}406"; done
}

# The sysroot is remade when the package choice above changes (or it was never finished).
spec="${RUNTIME_ROOTS[*]} | ${DEV_PACKAGES[*]} | ${OPENCV_MODULES[*]}"
if [ ! -f "$SYSROOT/.complete" ] || [ "$(cat "$SYSROOT/.complete")" != "$spec" ]; then
  say "computing the arm64 package list"
  compute_package_list | sort -u >"$OUT/sysroot-packages.txt"
  count=$(wc -l <"$OUT/sysroot-packages.txt")
  say "$count arm64 packages (list: $OUT/sysroot-packages.txt)"
  t0=$(now)
  missing=()
  while read -r p; do
    compgen -G "$DEBS/${p}_*_arm64.deb" >/dev/null || compgen -G "$DEBS/${p}_*_all.deb" >/dev/null || missing+=("$p:arm64")
  done <"$OUT/sysroot-packages.txt"
  if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get download ${#missing[@]} packages into $DEBS"
    (cd "$DEBS" && apt-get download -q "${missing[@]}" >>"$LOG" 2>&1) ||
      die "apt-get download failed (see $LOG; package lists out of date? apt-get update)"
  fi
  t1=$(now)
  say "download: $(( t1 - t0 )) s, $(du -sm "$DEBS" | cut -f1) MiB of .debs in $DEBS"

  say "unpacking into $SYSROOT"
  rm -rf "$SYSROOT" "$OUT/sysroot-index"
  mkdir -p "$SYSROOT" "$OUT/sysroot-index"
  while read -r p; do
    deb=$(compgen -G "$DEBS/${p}_*_arm64.deb" || compgen -G "$DEBS/${p}_*_all.deb" || true)
    deb=$(echo "$deb" | sort -V | tail -1)
    [ -n "$deb" ] || die "no .deb for $p in $DEBS"
    dpkg -x "$deb" "$SYSROOT"
    # Which package owns which file: the Depends check of step 4 reads this.
    dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||' >"$OUT/sysroot-index/$p"
  done <"$OUT/sysroot-packages.txt"
  # Merged /usr as on an installed Debian 12: lib/ -> usr/lib etc.
  for d in lib lib64 bin sbin; do
    if [ -d "$SYSROOT/$d" ] && [ ! -L "$SYSROOT/$d" ]; then
      mkdir -p "$SYSROOT/usr/$d"
      cp -a "$SYSROOT/$d/." "$SYSROOT/usr/$d/"
      rm -rf "${SYSROOT:?}/$d"
    fi
    [ -e "$SYSROOT/$d" ] || ln -s "usr/$d" "$SYSROOT/$d"
  done
  # Absolute symlinks point into this machine; make them point into the sysroot.
  find "$SYSROOT" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$SYSROOT$target")" "$link"
  done
  # update-alternatives did not run (no postinst): libblas.so.3, liblapack.so.3 ... are made
  # here from the one implementation that was unpacked.
  libdir=$SYSROOT/usr/lib/aarch64-linux-gnu
  for alt in "$libdir"/*/lib*.so.*; do
    name=$(basename "$alt")
    [ -e "$libdir/$name" ] || ln -s "$(realpath --relative-to="$libdir" "$alt")" "$libdir/$name"
  done
  say "sysroot: $(du -sm "$SYSROOT" | cut -f1) MiB"
  echo "$spec" >"$SYSROOT/.complete"
else
  say "sysroot up to date ($SYSROOT)"
fi

# ---- 3. configure and build -------------------------------------------------------------
t0=$(now)
cmake -S "$ROOT" -B "$OUT" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$ROOT/packaging/cmake/aarch64-linux-gnu.cmake" -DAECNN_SYSROOT="$SYSROOT" \
  -DAECNN_AGENT_ONLY=ON >>"$LOG" 2>&1 || die "cmake configure failed (see $LOG)"
say "configured in $(( $(now) - t0 )) s"
t0=$(now)
nice -n 10 ninja -C "$OUT" -j "$JOBS" aecnn-agent 2>&1 | tee -a "$LOG" | grep -E '^\[|error|FAILED' || true
[ "${PIPESTATUS[0]}" = 0 ] || die "build failed (see $LOG)"
say "aecnn-agent built in $(( $(now) - t0 )) s (--jobs $JOBS)"
AGENT=$OUT/app/agent/aecnn-agent
[ -x "$AGENT" ] || die "no $AGENT after the build"
file -b "$AGENT" | tee -a "$LOG" | grep -q 'ARM aarch64' || die "$AGENT is not an aarch64 executable: $(file -b "$AGENT")"
ln -sfn app/agent/aecnn-agent "$OUT/aecnn-agent"
[ "$PACKAGE" = 1 ] || { say "done (--no-package): $AGENT"; exit 0; }

# ---- 4. package ---------------------------------------------------------------------------
# The packages that own the libraries aecnn-agent NEEDs, found in the sysroot.
needed_packages() {
  local lib path real rel
  for lib in $(aarch64-linux-gnu-readelf -d "$AGENT" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
    path=$SYSROOT/usr/lib/aarch64-linux-gnu/$lib
    [ -e "$path" ] || path=$(find "$SYSROOT/usr/lib" -name "$lib" | head -1)
    [ -n "$path" ] && [ -e "$path" ] || { echo "MISSING:$lib"; continue; }
    for candidate in "$path" "$(realpath "$path")"; do
      rel=${candidate#"$SYSROOT"/}
      rel=${rel#usr/}
      real=$(cd "$OUT/sysroot-index" && grep -lxF -e "$rel" -e "usr/$rel" -- * 2>/dev/null | head -1) &&
        [ -n "$real" ] && { echo "$real"; break; }
    done
  done | sort -u
}
needed=$(needed_packages)
if echo "$needed" | grep -q MISSING; then die "libraries the agent needs are not in the sysroot: $(echo "$needed" | grep MISSING)"; fi
t0=$(now)
rm -f "$OUT"/packages/aecnn-agent_*_arm64.deb
(cd "$OUT" && cpack -G DEB --config CPackConfig.cmake >>"$LOG" 2>&1) || die "cpack failed (see $LOG)"
DEB=$(ls "$OUT"/packages/aecnn-agent_*_arm64.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || die "cpack wrote no aecnn-agent_*_arm64.deb in $OUT/packages (see $LOG)"
say "cpack: $DEB ($(du -k "$DEB" | cut -f1) KiB) in $(( $(now) - t0 )) s"
declared=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/^ *//;s/[ (].*//' | grep -v '^$' | sort -u)
[ "$(dpkg-deb -f "$DEB" Architecture)" = arm64 ] || die "$DEB: Architecture is $(dpkg-deb -f "$DEB" Architecture), not arm64"
# Every package of a NEEDed library must be declared; the declared ones may add runtime plugins.
undeclared=$(comm -23 <(echo "$needed") <(echo "$declared"))
[ -z "$undeclared" ] || die "$DEB lacks Depends on: $undeclared (the agent NEEDs their libraries; packaging/cpack.cmake)"
say "Depends: $(dpkg-deb -f "$DEB" Depends)"
say "         (packages of the NEEDed libraries: $(echo $needed))"
extra=$(comm -13 <(echo "$needed") <(echo "$declared"))
[ -z "$extra" ] || say "         declared beyond NEEDed: $(echo $extra)"
say "done: $DEB"
