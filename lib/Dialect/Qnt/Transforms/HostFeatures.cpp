//===- HostFeatures.cpp - What the host CPU and OS let the kernels use ----===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The host queries behind vnni=auto (--qnt-lower-dot-u8s8), amx=auto
// (--qnt-lower-gemm) and narrow=auto (--qnt-lower-gemm,
// --qnt-lower-depthwise), answered once per process: the CPU features do
// not change, and the OS's grant of the AMX tile state, once asked for,
// holds for the process.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

#include <sys/syscall.h>
#include <unistd.h>

using namespace mlir;

bool mlir::qnt::hostHasAMX() {
  static const bool granted = [] {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    if (!features.lookup("amx-tile") || !features.lookup("amx-int8"))
      return false;
#if defined(__linux__) && defined(__x86_64__)
    // Usable only once Linux grants this process the tile state (XTILEDATA,
    // feature 18; ARCH_REQ_XCOMP_PERM): without it a tile instruction is
    // SIGILL.
    constexpr long kReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureXtiledata) == 0;
#else
    return false;
#endif
  }();
  return granted;
}

bool mlir::qnt::hostHasVNNI() {
  static const bool has = [] {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    return features.lookup("avx512vnni") && features.lookup("avx512bw");
  }();
  return has;
}

bool mlir::qnt::hostNarrowsEachVector() {
  // On Zen 4 one vpmovsdb per vector made MobileNetV2's depthwise layers
  // 7-8% faster than vpackssdw/vpacksswb/vpermd per four (LLVM 22 turns
  // the packed bytes' four 16-byte stores into four vpermd), the whole
  // batch-1 program 1.5%; on Zen 5 the program 2%. On the Intel Xeon hosts
  // packing was the faster form. Zen before 4 has no AVX-512 (the kernels'
  // portable form).
  static const bool each = llvm::sys::getHostCPUName().starts_with("znver") &&
                           llvm::sys::getHostCPUFeatures().lookup("avx512bw");
  return each;
}

FailureOr<bool> mlir::qnt::parseNarrowOption(Operation *op, StringRef pass,
                                             StringRef narrow) {
  if (narrow == "pack")
    return true;
  if (narrow == "each")
    return false;
  if (narrow == "auto")
    return !hostNarrowsEachVector();
  return op->emitError("--")
         << pass << ": option narrow must be auto, pack or each, got '"
         << narrow << "'";
}
