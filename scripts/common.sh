# Shared by the README's commands: install what is missing, configure, build.
# Source it; it defines functions only.

QNT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QNT_BUILD=${QNT_BUILD:-$QNT_ROOT/build}
LLVM_PREFIX=/usr/lib/llvm-22

# Debian packages the build and the tests need.
QNT_PACKAGES=(
  cmake ninja-build clang-22 lld-22 llvm-22-dev llvm-22-tools
  libmlir-22-dev mlir-22-tools libgtest-dev python3
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx python3-numpy
  libonnx-testdata
)

# Installs the packages that are missing (apt-get update once, then install).
qnt_install_packages() {
  local missing=()
  for pkg in "${QNT_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures (once) and builds the given targets (default: all).
qnt_build() {
  if [ ! -f "$QNT_BUILD/build.ninja" ]; then
    echo "== configuring $QNT_BUILD"
    cmake -G Ninja -S "$QNT_ROOT" -B "$QNT_BUILD" \
      -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER="$LLVM_PREFIX/bin/clang" \
      -DCMAKE_CXX_COMPILER="$LLVM_PREFIX/bin/clang++" \
      -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
      -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit" >"$QNT_BUILD.cmake.log" 2>&1 ||
      { cat "$QNT_BUILD.cmake.log"; return 1; }
  fi
  echo "== building ${*:-all}"
  ninja -C "$QNT_BUILD" "$@" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
  return "${PIPESTATUS[0]}"
}
