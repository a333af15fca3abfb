//===- JitRunner.h - Compile and run an entry function ----------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Shared by quant-run and quant-calibrate: the entry signature, input checks
// and batching, lowering with --qnt-lower-to-llvm, and JIT execution with
// MLIR's ExecutionEngine (host CPU, O3). The entry function takes bare
// pointers: main(inputs..., outputs...).
//
//===----------------------------------------------------------------------===//

#ifndef QNT_SUPPORT_JITRUNNER_H
#define QNT_SUPPORT_JITRUNNER_H

#include "qnt/Support/TensorFile.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlir {
class DialectRegistry;
class ExecutionEngine;

namespace qnt {

/// One argument or result of the entry function.
struct TensorSlot {
  DType dtype;
  SmallVector<int64_t> shape;
  int64_t getNumBytes() const;
};

/// The entry function's tensor signature.
struct EntrySignature {
  SmallVector<TensorSlot> inputs;
  SmallVector<TensorSlot> results;
};

/// The signature of `entry`: from the func.func, or from the `qnt.signature`
/// attribute of an already lowered llvm.func.
llvm::Expected<EntrySignature> getEntrySignature(ModuleOp module,
                                                 StringRef entry);

/// How many runs of `slot`'s shape `tensor` holds: 1 when the shapes are
/// equal, k when its leading dimension is k times the slot's. Errors name
/// `path` and input `index` of `entry`.
llvm::Expected<int64_t> countBatches(const HostTensor &tensor,
                                     const TensorSlot &slot, StringRef path,
                                     unsigned index, StringRef entry);

/// Initializes the native target and adds every dialect, extension and LLVM
/// IR translation a JIT-running tool needs to `registry`.
void initializeJitTool(DialectRegistry &registry);

/// Parses the module in `path` ('-' is stdin), reporting diagnostics with
/// their source lines through `sourceMgr`. Null on failure; when the file
/// cannot be opened, `error` says why.
OwningOpRef<ModuleOp> parseModuleFile(StringRef path, MLIRContext &context,
                                      llvm::SourceMgr &sourceMgr,
                                      std::string &error);

/// Sets the process's allocator to keep freed memory for reuse instead of
/// returning large blocks to the system: a tool that runs lowered code many
/// times calls it once, in main (it is process-wide).
void keepFreedMemoryForReuse();

/// Lowers `module` with --qnt-lower-to-llvm unless it already is LLVM; with
/// `profile`, with its kernels timed (--qnt-profile-kernels).
LogicalResult lowerToLLVMIfNeeded(ModuleOp module, bool profile = false);

/// A JIT-compiled module whose entry can be run on host buffers.
class JitRunner {
public:
  /// Host functions the compiled code calls, by symbol name.
  using Symbols = ArrayRef<std::pair<StringRef, void *>>;

  /// Compiles a lowered `module` for the host CPU at O3.
  static llvm::Expected<std::unique_ptr<JitRunner>>
  create(ModuleOp module, StringRef entry, const EntrySignature &signature,
         Symbols symbols = {});
  ~JitRunner();

  /// Runs the entry once; `buffers` holds one pointer per input, then one
  /// per result.
  llvm::Error run(ArrayRef<void *> buffers);

private:
  JitRunner() = default;
  std::unique_ptr<ExecutionEngine> engine;
  /// The entry's packed wrapper, looked up once: ExecutionEngine's
  /// invokePacked looks the symbol up in the JIT session on every call,
  /// which cost about 2 us per call (a sixth of Fashion-MNIST's batch-1
  /// int8 run).
  void (*packedEntry)(void **) = nullptr;
  size_t numArgs = 0;
};

} // namespace qnt
} // namespace mlir

#endif // QNT_SUPPORT_JITRUNNER_H
