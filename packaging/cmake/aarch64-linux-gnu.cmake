# Cross-compiling for 64-bit ARM (Raspberry Pi 3/4/5 with a 64-bit OS) from Debian 12 x86_64.
# packaging/cross-arm64.sh sets everything up and uses this file; by hand:
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=packaging/cmake/aarch64-linux-gnu.cmake \
#         -DAECNN_AGENT_ONLY=ON [-DAECNN_SYSROOT=/path/to/sysroot]
# Compiler: Debian's crossbuild-essential-arm64 (aarch64-linux-gnu-g++ 12, its own libc/libstdc++).
# Sysroot: the arm64 Debian 12 packages the agent links, unpacked with dpkg -x (default
# build-arm64/sysroot). Host tools (moc) come from this machine's Qt: QT_HOST_PATH=/usr.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

if(NOT AECNN_SYSROOT)
  if(DEFINED ENV{AECNN_SYSROOT})
    set(AECNN_SYSROOT $ENV{AECNN_SYSROOT})
  else()
    get_filename_component(AECNN_SYSROOT ${CMAKE_CURRENT_LIST_DIR}/../../build-arm64/sysroot ABSOLUTE)
  endif()
endif()
set(AECNN_SYSROOT ${AECNN_SYSROOT} CACHE PATH "arm64 sysroot (Debian 12 arm64 packages unpacked with dpkg -x)")
if(NOT EXISTS ${AECNN_SYSROOT}/usr/lib/aarch64-linux-gnu)
  message(FATAL_ERROR "No arm64 sysroot at ${AECNN_SYSROOT}: run packaging/cross-arm64.sh (it fetches one) "
                      "or pass -DAECNN_SYSROOT=DIR")
endif()

set(CMAKE_SYSROOT ${AECNN_SYSROOT})
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH ${AECNN_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Libraries of the sysroot that the linked ones need in turn (libtorch_cpu -> libblas ...).
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-Wl,-rpath-link,${AECNN_SYSROOT}/usr/lib/aarch64-linux-gnu -Wl,-rpath-link,${AECNN_SYSROOT}/lib/aarch64-linux-gnu")

# Qt 6's host tools (moc) run here: the x86_64 qt6-base-dev-tools.
set(QT_HOST_PATH /usr)
set(QT_HOST_PATH_CMAKE_DIR /usr/lib/x86_64-linux-gnu/cmake)

# What runs arm64 programs here (try_run, tests): qemu-user-static with the sysroot.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L ${AECNN_SYSROOT})

# CPack: an arm64 .deb (packaging/cpack.cmake).
set(AECNN_DEB_ARCHITECTURE arm64)
