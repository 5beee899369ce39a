# Debian packages of the studio and the device agent, one per install component:
#   aecnn-studio  studio + aecnn CLI, desktop file, icon, default model, reference/result tables
#   aecnn-agent   device agent + its systemd unit
# Build them with   cmake --build BUILD --target package
#              or   cpack -G DEB --config BUILD/CPackConfig.cmake
# Dependencies are the Debian 12 packages of the shared libraries the binaries
# link directly (objdump -p ... | grep NEEDED, then dpkg -S of each resolved path).

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME aecnn)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "AECNN Studio")
set(CPACK_PACKAGE_CONTACT "AECNN Studio maintainers <maintainers@aecnn.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)

set(CPACK_DEB_COMPONENT_INSTALL ON)
if(AECNN_AGENT_ONLY)
  set(CPACK_COMPONENTS_ALL agent)
else()
  set(CPACK_COMPONENTS_ALL studio agent)
endif()
# Cross builds (packaging/cross-arm64.sh) package for the target, not for this machine:
# the toolchain file sets AECNN_DEB_ARCHITECTURE (arm64); otherwise CPack asks dpkg.
if(AECNN_DEB_ARCHITECTURE)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${AECNN_DEB_ARCHITECTURE})
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

# Measured on the Debian 12 build (12:05 UTC, 2026-11-26): libc6 libgcc-s1 libstdc++6 zlib1g
# libtorch1.13 libqt6core6 libqt6network6 libopencv-{core,imgproc,imgcodecs}406 libzstd1 for
# all three binaries (+ libssl3 for libcrypto since protocol version 2: session keys, record MACs, AEAD); + libqt6gui6 libqt6widgets6 libqcustomplot2.1-qt6 (which brings
# libqt6printsupport6) for aecnn-studio, plus libqt6svg6 (runtime plugin for the SVG window icon); + libopencv-videoio406 (camera frames) for aecnn-agent.
set(AECNN_DEB_COMMON_DEPENDS
    "libc6, libgcc-s1, libstdc++6, zlib1g, libzstd1, libssl3, libtorch1.13, libqt6core6, libqt6network6, libopencv-core406, libopencv-imgproc406, libopencv-imgcodecs406")

set(CPACK_DEBIAN_STUDIO_PACKAGE_NAME aecnn-studio)
set(CPACK_DEBIAN_STUDIO_PACKAGE_SECTION science)
set(CPACK_DEBIAN_STUDIO_PACKAGE_DEPENDS
    "${AECNN_DEB_COMMON_DEPENDS}, libqt6gui6, libqt6widgets6, libqcustomplot2.1-qt6, libqt6svg6")
# "Start local agent" runs aecnn-agent; Fashion-MNIST is the default data set of both.
set(CPACK_DEBIAN_STUDIO_PACKAGE_RECOMMENDS "aecnn-agent, dataset-fashion-mnist")
# First line: the package synopsis; the rest: the extended description.
set(CPACK_COMPONENT_STUDIO_DESCRIPTION "AECNN Studio: split CNN feature compression, live from a device agent
Qt desktop app for attention-based feature compression (AECNN): channel attention, live accuracy and latency,
entropy, trade-offs and feature images, training of split models, plus the aecnn command line, the default
model and the demo split models.")

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME aecnn-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_SECTION science)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "${AECNN_DEB_COMMON_DEPENDS}, libopencv-videoio406")
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "dataset-fashion-mnist")
set(CPACK_COMPONENT_AGENT_DESCRIPTION "AECNN device agent: the device part of a split CNN
Runs the head of a split model on the device and streams compressed features to AECNN Studio over an
authenticated TCP protocol. Includes the systemd unit aecnn-agent.service (token from /etc/aecnn/agent.token,
see the unit file).")

if(NOT AECNN_AGENT_ONLY)
  install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/aecnn-studio COMPONENT studio)
endif()

include(CPack)
