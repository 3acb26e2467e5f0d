# CMake toolchain file: cross-compile for 64-bit ARM (Raspberry Pi 4/5 on
# Raspberry Pi OS bookworm arm64) with Debian's multiarch cross toolchain.
#
#   apt-get install g++-aarch64-linux-gnu qemu-user-static
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install libmpv-dev:arm64 libsodium-dev:arm64 ...   (see deploy/cross/arm64.sh)
#   cmake -S . -B build-arm64 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=deploy/cross/aarch64-linux-gnu.cmake
#
# The arm64 libraries come from Debian's multiarch packages
# (/usr/lib/aarch64-linux-gnu); tests run under qemu-user (ctest and
# gtest_discover_tests use CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Programs (ffmpeg, pkg-config, the emulator) are the build machine's;
# libraries and headers come from the arm64 multiarch paths.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# pkg-config: only the arm64 .pc files and the architecture-independent ones.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

find_program(LASR_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(LASR_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${LASR_QEMU_AARCH64}")
endif()
