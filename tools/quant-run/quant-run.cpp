//===- quant-run.cpp - Run a model natively with the ExecutionEngine ------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
//   quant-run model.mlir --input a.npy [--input b.pb ...] --output y.npy
//             [--bench N]
//
// Parses the module, lowers it with --qnt-lower-to-llvm unless it already is
// LLVM, JIT-compiles it for the host CPU at O3 and runs the entry function.
// An input whose leading dimension is a multiple of the entry's batch size
// runs batch by batch; the outputs are concatenated along dimension 0.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/InitAll.h"
#include "qnt/Pipelines/Pipelines.h"
#include "qnt/Support/TensorFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstring>

using namespace mlir;
using namespace mlir::qnt;

static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                            llvm::cl::desc("<model.mlir>"),
                                            llvm::cl::init("-"));
static llvm::cl::list<std::string>
    inputs("input", llvm::cl::desc("Input tensor (.npy or ONNX .pb), one per "
                                   "entry argument, in order"));
static llvm::cl::list<std::string>
    outputs("output", llvm::cl::desc("Where to write each result (.npy)"));
static llvm::cl::opt<unsigned>
    benchRuns("bench", llvm::cl::desc("Time N runs of the first batch after "
                                      "one warm-up and print the latency"),
              llvm::cl::init(0));
static llvm::cl::opt<std::string>
    entryName("entry", llvm::cl::desc("Entry function"), llvm::cl::init("main"));

namespace {
/// One argument or result of the entry function.
struct Slot {
  DType dtype;
  SmallVector<int64_t> shape;
  int64_t getNumBytes() const {
    int64_t n = getDTypeSize(dtype);
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};
} // namespace

static int fail(const llvm::Twine &message) {
  llvm::errs() << "quant-run: error: " << message << "\n";
  return 1;
}

/// Turns the tensor types of the entry signature into slots.
static FailureOr<SmallVector<Slot>> getSlots(TypeRange types, StringRef what) {
  SmallVector<Slot> slots;
  for (auto [i, type] : llvm::enumerate(types)) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape()) {
      fail("entry " + what + " " + llvm::Twine(i) +
           " must be a statically shaped tensor");
      return failure();
    }
    auto dtype = getDTypeOf(tensor.getElementType());
    if (!dtype) {
      fail("entry " + what + " " + llvm::Twine(i) + ": " +
           llvm::toString(dtype.takeError()));
      return failure();
    }
    slots.push_back({*dtype, SmallVector<int64_t>(tensor.getShape())});
  }
  return slots;
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  HostTensor t;
  t.shape.assign(shape.begin(), shape.end());
  return t.getShapeString();
}

/// Prints a small result for people who did not ask for an output file.
static void printTensor(const HostTensor &t, unsigned index) {
  llvm::outs() << "result " << index << ": " << getDTypeName(t.dtype) << " "
               << t.getShapeString();
  int64_t n = t.getNumElements();
  if (n > 64) {
    llvm::outs() << " (" << n << " elements; use --output to save them)\n";
    return;
  }
  llvm::outs() << " = [";
  for (int64_t i = 0; i < n; ++i) {
    if (i)
      llvm::outs() << ", ";
    const uint8_t *p = t.data.data() + i * getDTypeSize(t.dtype);
    switch (t.dtype) {
    case DType::F32: {
      float v;
      std::memcpy(&v, p, 4);
      llvm::outs() << v;
      break;
    }
    case DType::F64: {
      double v;
      std::memcpy(&v, p, 8);
      llvm::outs() << v;
      break;
    }
    case DType::U8:
      llvm::outs() << unsigned(*p);
      break;
    case DType::I8:
      llvm::outs() << int(static_cast<int8_t>(*p));
      break;
    case DType::I32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      llvm::outs() << v;
      break;
    }
    case DType::I64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      llvm::outs() << v;
      break;
    }
    }
  }
  llvm::outs() << "]\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  mlir::registerAllPasses();
  mlir::qnt::registerAllPasses();
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "quant-run: JIT-compile a model with MLIR's ExecutionEngine and run "
      "it on tensor files\n");

  DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::qnt::registerAllDialects(registry);
  MLIRContext context(registry);
  context.disableMultithreading(); // compile on one thread, measure on one

  // Parse.
  std::string errorMessage;
  auto file = openInputFile(inputFile, &errorMessage);
  if (!file)
    return fail(errorMessage);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  // The entry signature, from the func or from what the pipeline recorded.
  FunctionType signature;
  if (auto func = module->lookupSymbol<func::FuncOp>(entryName)) {
    signature = func.getFunctionType();
  } else if (auto llvmFunc =
                 module->lookupSymbol<LLVM::LLVMFuncOp>(entryName)) {
    auto attr = llvmFunc->getAttrOfType<TypeAttr>(kSignatureAttrName);
    if (!attr || !isa<FunctionType>(attr.getValue()))
      return fail("LLVM function @" + entryName + " has no '" +
                  kSignatureAttrName +
                  "' attribute; lower it with --qnt-lower-to-llvm");
    signature = cast<FunctionType>(attr.getValue());
  } else {
    return fail("no entry function @" + entryName + " in " + inputFile);
  }
  auto argSlots = getSlots(signature.getInputs(), "argument");
  auto resultSlots = getSlots(signature.getResults(), "result");
  if (failed(argSlots) || failed(resultSlots))
    return 1;

  if (inputs.size() != argSlots->size())
    return fail("@" + entryName + " takes " + llvm::Twine(argSlots->size()) +
                " inputs but " + llvm::Twine(inputs.size()) +
                " --input were given");
  if (!outputs.empty() && outputs.size() != resultSlots->size())
    return fail("@" + entryName + " has " + llvm::Twine(resultSlots->size()) +
                " results but " + llvm::Twine(outputs.size()) +
                " --output were given");

  // Read and check the inputs; find the number of batches.
  SmallVector<HostTensor> tensors;
  int64_t batches = -1;
  for (auto [i, path] : llvm::enumerate(inputs)) {
    auto tensor = readTensorFile(path);
    if (!tensor)
      return fail(llvm::toString(tensor.takeError()));
    const Slot &slot = (*argSlots)[i];
    if (tensor->dtype != slot.dtype)
      return fail(path + ": dtype " + getDTypeName(tensor->dtype) +
                  " does not match input " + llvm::Twine(i) + " of @" +
                  entryName + " (" + getDTypeName(slot.dtype) + ")");
    int64_t count = -1;
    if (tensor->shape == slot.shape) {
      count = 1;
    } else if (!slot.shape.empty() && slot.shape[0] > 0 &&
               tensor->shape.size() == slot.shape.size() &&
               ArrayRef(tensor->shape).drop_front() ==
                   ArrayRef(slot.shape).drop_front() &&
               tensor->shape[0] % slot.shape[0] == 0 && tensor->shape[0] > 0) {
      count = tensor->shape[0] / slot.shape[0];
    }
    if (count < 0)
      return fail(path + ": shape " + tensor->getShapeString() +
                  " does not match input " + llvm::Twine(i) + " of @" +
                  entryName + " (" + shapeString(slot.shape) +
                  ", or a multiple of it along dimension 0)");
    if (batches >= 0 && count != batches)
      return fail(path + ": holds " + llvm::Twine(count) +
                  " batches but the previous inputs hold " +
                  llvm::Twine(batches));
    batches = count;
    tensors.push_back(std::move(*tensor));
  }
  if (batches < 0)
    batches = 1;

  // Lower unless the module already is LLVM.
  bool isLLVM = true;
  module->walk([&](Operation *op) {
    if (op != module->getOperation() && !isa<LLVM::LLVMDialect>(op->getDialect()))
      isLLVM = false;
  });
  if (!isLLVM) {
    PassManager pm(&context);
    if (failed(buildLowerToLLVMPipeline(pm)))
      return fail("cannot build the lowering pipeline");
    if (failed(pm.run(*module)))
      return fail("lowering " + inputFile + " to LLVM failed");
  }

  // JIT.
  // ExecutionEngineOptions holds a function_ref: keep the callee alive.
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                /*targetMachine=*/nullptr);
  ExecutionEngineOptions options;
  options.transformer = optimize;
  SmallVector<StringRef, 1> libraries = {QNT_C_RUNNER_UTILS};
  options.sharedLibPaths = libraries;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(*module, options);
  if (!engine)
    return fail("JIT compilation failed: " +
                llvm::toString(engine.takeError()));

  // Outputs hold all batches, concatenated along dimension 0.
  SmallVector<HostTensor> results;
  for (const Slot &slot : *resultSlots) {
    HostTensor t;
    t.dtype = slot.dtype;
    t.shape = slot.shape;
    if (batches > 1) {
      if (t.shape.empty())
        return fail("a scalar result cannot be batched");
      t.shape[0] *= batches;
    }
    t.data.resize(slot.getNumBytes() * batches);
    results.push_back(std::move(t));
  }

  // main(in..., out...) with bare pointers; invokePacked wants a pointer to
  // each argument.
  size_t numArgs = argSlots->size() + resultSlots->size();
  SmallVector<void *> pointers(numArgs);
  SmallVector<void *> packed(numArgs);
  for (size_t i = 0; i < numArgs; ++i)
    packed[i] = &pointers[i];
  auto bindBatch = [&](int64_t b) {
    for (auto [i, slot] : llvm::enumerate(*argSlots))
      pointers[i] = tensors[i].data.data() + b * slot.getNumBytes();
    for (auto [i, slot] : llvm::enumerate(*resultSlots))
      pointers[argSlots->size() + i] =
          results[i].data.data() + b * slot.getNumBytes();
  };
  auto runBatch = [&](int64_t b) -> llvm::Error {
    bindBatch(b);
    return (*engine)->invokePacked(entryName, packed);
  };

  for (int64_t b = 0; b < batches; ++b)
    if (llvm::Error error = runBatch(b))
      return fail("running @" + entryName + " failed: " +
                  llvm::toString(std::move(error)));

  if (benchRuns > 0) {
    SmallVector<double> times;
    for (unsigned r = 0; r <= benchRuns; ++r) {
      auto start = std::chrono::steady_clock::now();
      if (llvm::Error error = runBatch(0))
        return fail(llvm::toString(std::move(error)));
      auto end = std::chrono::steady_clock::now();
      if (r > 0) // the first run is the warm-up
        times.push_back(
            std::chrono::duration<double, std::milli>(end - start).count());
    }
    llvm::sort(times);
    double median = times.size() % 2
                        ? times[times.size() / 2]
                        : 0.5 * (times[times.size() / 2 - 1] +
                                 times[times.size() / 2]);
    llvm::outs() << llvm::format("latency: median %.4f ms, min %.4f ms over "
                                 "%u runs (batch %s)\n",
                                 median, times.front(), unsigned(benchRuns),
                                 shapeString((*argSlots)[0].shape).c_str());
  }

  for (auto [i, result] : llvm::enumerate(results)) {
    if (outputs.empty()) {
      printTensor(result, i);
      continue;
    }
    if (llvm::Error error = writeNpy(outputs[i], result))
      return fail(llvm::toString(std::move(error)));
  }
  return 0;
}
