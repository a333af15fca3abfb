//===- JitRunner.cpp - Compile and run an entry function ------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/Support/JitRunner.h"
#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "qnt/InitAll.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"

#include <malloc.h>

using namespace mlir;
using namespace mlir::qnt;

int64_t TensorSlot::getNumBytes() const {
  int64_t n = getDTypeSize(dtype);
  for (int64_t d : shape)
    n *= d;
  return n;
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  HostTensor t;
  t.shape.assign(shape.begin(), shape.end());
  return t.getShapeString();
}

static llvm::Expected<SmallVector<TensorSlot>> getSlots(TypeRange types,
                                                        StringRef what) {
  SmallVector<TensorSlot> slots;
  for (auto [i, type] : llvm::enumerate(types)) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return llvm::createStringError("entry " + what + " " + llvm::Twine(i) +
                                     " must be a statically shaped tensor");
    auto dtype = getDTypeOf(tensor.getElementType());
    if (!dtype)
      return llvm::createStringError("entry " + what + " " + llvm::Twine(i) +
                                     ": " + llvm::toString(dtype.takeError()));
    slots.push_back({*dtype, SmallVector<int64_t>(tensor.getShape())});
  }
  return slots;
}

llvm::Expected<EntrySignature> mlir::qnt::getEntrySignature(ModuleOp module,
                                                            StringRef entry) {
  FunctionType type;
  if (auto func = module.lookupSymbol<func::FuncOp>(entry)) {
    type = func.getFunctionType();
    // A recorded signature may name ui8 where the function holds i8 bits.
    if (auto attr =
            func->getAttrOfType<TypeAttr>(QntDialect::kSignatureAttrName)) {
      auto recorded = dyn_cast<FunctionType>(attr.getValue());
      auto sameLayout = [](TypeRange a, TypeRange b) {
        return a.size() == b.size() &&
               llvm::all_of(llvm::zip(a, b), [](auto pair) {
                 auto x = dyn_cast<ShapedType>(std::get<0>(pair));
                 auto y = dyn_cast<ShapedType>(std::get<1>(pair));
                 return x && y && x.getShape() == y.getShape() &&
                        x.getElementTypeBitWidth() ==
                            y.getElementTypeBitWidth();
               });
      };
      if (!recorded || !sameLayout(recorded.getInputs(), type.getInputs()) ||
          !sameLayout(recorded.getResults(), type.getResults()))
        return llvm::createStringError("@" + entry + " has a '" +
                                       QntDialect::kSignatureAttrName +
                                       "' that does not match its type");
      type = recorded;
    }
  } else if (auto llvmFunc = module.lookupSymbol<LLVM::LLVMFuncOp>(entry)) {
    auto attr =
        llvmFunc->getAttrOfType<TypeAttr>(QntDialect::kSignatureAttrName);
    if (!attr || !isa<FunctionType>(attr.getValue()))
      return llvm::createStringError(
          "LLVM function @" + entry + " has no '" +
          QntDialect::kSignatureAttrName +
          "' attribute; lower it with --qnt-lower-to-llvm");
    type = cast<FunctionType>(attr.getValue());
    unsigned expected = type.getNumInputs() + type.getNumResults();
    if (llvmFunc.getNumArguments() != expected ||
        !llvm::all_of(llvmFunc.getArgumentTypes(),
                      llvm::IsaPred<LLVM::LLVMPointerType>) ||
        !isa<LLVM::LLVMVoidType>(llvmFunc.getFunctionType().getReturnType()))
      return llvm::createStringError(
          "LLVM function @" + entry + " does not match its '" +
          QntDialect::kSignatureAttrName + "': expected " +
          llvm::Twine(expected) +
          " pointer arguments (inputs, then outputs) and no result");
  } else {
    return llvm::createStringError("no entry function @" + entry);
  }
  EntrySignature signature;
  auto inputs = getSlots(type.getInputs(), "argument");
  if (!inputs)
    return inputs.takeError();
  auto results = getSlots(type.getResults(), "result");
  if (!results)
    return results.takeError();
  signature.inputs = std::move(*inputs);
  signature.results = std::move(*results);
  return signature;
}

llvm::Expected<int64_t> mlir::qnt::countBatches(const HostTensor &tensor,
                                                const TensorSlot &slot,
                                                StringRef path, unsigned index,
                                                StringRef entry) {
  if (tensor.dtype != slot.dtype)
    return llvm::createStringError(
        path + ": dtype " + getDTypeName(tensor.dtype) +
        " does not match input " + llvm::Twine(index) + " of @" + entry + " (" +
        getDTypeName(slot.dtype) + ")");
  if (tensor.shape == slot.shape)
    return 1;
  ArrayRef<int64_t> have = tensor.shape, want = slot.shape;
  if (!want.empty() && want[0] > 0 && have.size() == want.size() &&
      have.drop_front() == want.drop_front() && have[0] > 0 &&
      have[0] % want[0] == 0)
    return have[0] / want[0];
  return llvm::createStringError(path + ": shape " + tensor.getShapeString() +
                                 " does not match input " + llvm::Twine(index) +
                                 " of @" + entry + " (" + shapeString(want) +
                                 ", or a multiple of it along dimension 0)");
}

void mlir::qnt::initializeJitTool(DialectRegistry &registry) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::qnt::registerAllDialects(registry);
}

OwningOpRef<ModuleOp> mlir::qnt::parseModuleFile(StringRef path,
                                                 MLIRContext &context,
                                                 llvm::SourceMgr &sourceMgr,
                                                 std::string &error) {
  auto file = openInputFile(path, &error);
  if (!file)
    return nullptr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

void mlir::qnt::keepFreedMemoryForReuse() {
  // The lowered code allocates its intermediate buffers on every run. With
  // glibc's defaults large ones are mmap-ed and unmapped each time, and the
  // page faults of touching them again cost more than the convolutions
  // (measured with perf on the Fashion-MNIST model at batch 64): keep freed
  // memory in the heap for the next run.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

LogicalResult mlir::qnt::lowerToLLVMIfNeeded(ModuleOp module, bool profile) {
  bool isLLVM = true;
  module.walk([&](Operation *op) {
    if (op != module.getOperation() &&
        !isa<LLVM::LLVMDialect>(op->getDialect()))
      isLLVM = false;
  });
  if (isLLVM)
    return success();
  PassManager pm(module.getContext());
  if (failed(buildLowerToLLVMPipeline(pm, "auto", profile)))
    return failure();
  return pm.run(module);
}

JitRunner::~JitRunner() = default;

llvm::Expected<std::unique_ptr<JitRunner>>
JitRunner::create(ModuleOp module, StringRef entry,
                  const EntrySignature &signature, Symbols symbols) {
  // LLVM's O3 pipeline needs the host's target machine: without it the
  // cost model knows no vector registers and the loop vectorizer leaves the
  // elementwise loops scalar.
  // Lowered int8 GEMMs may use AMX tiles (--qnt-lower-to-llvm=amx): ask the
  // OS for the tile state.
  (void)hostHasAMX();
  auto hostBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!hostBuilder)
    return hostBuilder.takeError();
  auto targetMachine = hostBuilder->createTargetMachine();
  if (!targetMachine)
    return targetMachine.takeError();
  // ExecutionEngineOptions holds a function_ref: keep the callee alive.
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                targetMachine->get());
  ExecutionEngineOptions options;
  options.transformer = optimize;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // Runtime helpers of lowered code (memrefCopy for strided copies).
  SmallVector<StringRef, 1> libraries = {QNT_C_RUNNER_UTILS};
  options.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(module, options);
  if (!engine)
    return engine.takeError();

  if (!symbols.empty()) {
    SmallVector<std::pair<std::string, void *>> owned;
    for (auto [name, address] : symbols)
      owned.emplace_back(name.str(), address);
    (*engine)->registerSymbols([owned](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap map;
      for (const auto &[name, address] : owned)
        map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                               llvm::JITSymbolFlags::Exported};
      return map;
    });
  }

  // After registerSymbols: the lookup materializes the module.
  auto packed = (*engine)->lookupPacked(entry);
  if (!packed)
    return packed.takeError();
  std::unique_ptr<JitRunner> runner(new JitRunner());
  runner->engine = std::move(*engine);
  runner->packedEntry = *packed;
  runner->numArgs = signature.inputs.size() + signature.results.size();
  return runner;
}

llvm::Error JitRunner::run(ArrayRef<void *> buffers) {
  assert(buffers.size() == numArgs && "one buffer per input and result");
  // invokePacked wants a pointer to each (pointer) argument.
  SmallVector<void *> pointers(buffers.begin(), buffers.end());
  SmallVector<void *> packed;
  for (void *&pointer : pointers)
    packed.push_back(&pointer);
  packedEntry(packed.data());
  return llvm::Error::success();
}
