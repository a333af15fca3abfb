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

#include "qnt/InitAll.h"
#include "qnt/Support/JitRunner.h"
#include "qnt/Support/TensorFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
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
    benchRuns("bench",
              llvm::cl::desc("Time N runs of the first batch after "
                             "one warm-up and print the latency"),
              llvm::cl::init(0));
static llvm::cl::opt<std::string> entryName("entry",
                                            llvm::cl::desc("Entry function"),
                                            llvm::cl::init("main"));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "quant-run: error: " << message << "\n";
  return 1;
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
  mlir::registerAllPasses();
  mlir::qnt::registerAllPasses();
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "quant-run: JIT-compile a model with MLIR's ExecutionEngine and run "
      "it on tensor files\n");

  DialectRegistry registry;
  initializeJitTool(registry);
  MLIRContext context(registry);
  context.disableMultithreading(); // compile on one thread, measure on one

  // Parse.
  std::string errorMessage;
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseModuleFile(inputFile, context, sourceMgr, errorMessage);
  if (!module)
    return errorMessage.empty() ? 1 : fail(errorMessage);

  auto signature = getEntrySignature(*module, entryName);
  if (!signature)
    return fail(llvm::toString(signature.takeError()) +
                (inputFile == "-" ? "" : " in " + inputFile));
  const SmallVector<TensorSlot> &argSlots = signature->inputs;
  const SmallVector<TensorSlot> &resultSlots = signature->results;

  if (inputs.size() != argSlots.size())
    return fail("@" + entryName + " takes " + llvm::Twine(argSlots.size()) +
                " inputs but " + llvm::Twine(inputs.size()) +
                " --input were given");
  if (!outputs.empty() && outputs.size() != resultSlots.size())
    return fail("@" + entryName + " has " + llvm::Twine(resultSlots.size()) +
                " results but " + llvm::Twine(outputs.size()) +
                " --output were given");

  // Read and check the inputs; find the number of batches.
  SmallVector<HostTensor> tensors;
  int64_t batches = -1;
  for (auto [i, path] : llvm::enumerate(inputs)) {
    auto tensor = readTensorFile(path);
    if (!tensor)
      return fail(llvm::toString(tensor.takeError()));
    auto count = countBatches(*tensor, argSlots[i], path, i, entryName);
    if (!count)
      return fail(llvm::toString(count.takeError()));
    if (batches >= 0 && *count != batches)
      return fail(path + ": holds " + llvm::Twine(*count) +
                  " batches but the previous inputs hold " +
                  llvm::Twine(batches));
    batches = *count;
    tensors.push_back(std::move(*tensor));
  }
  if (batches < 0)
    batches = 1;

  if (failed(lowerToLLVMIfNeeded(*module)))
    return fail("lowering " + inputFile + " to LLVM failed");
  auto runner = JitRunner::create(*module, entryName, *signature);
  if (!runner)
    return fail("JIT compilation failed: " +
                llvm::toString(runner.takeError()));

  // Outputs hold all batches, concatenated along dimension 0: each result's
  // leading dimension must be the batch.
  int64_t batchDim =
      argSlots.empty() || argSlots[0].shape.empty() ? 0 : argSlots[0].shape[0];
  SmallVector<HostTensor> results;
  for (auto [i, slot] : llvm::enumerate(resultSlots)) {
    HostTensor t;
    t.dtype = slot.dtype;
    t.shape = slot.shape;
    if (batches > 1) {
      if (t.shape.empty() || t.shape[0] != batchDim)
        return fail("cannot run " + llvm::Twine(batches) + " batches: result " +
                    llvm::Twine(i) + " of @" + entryName +
                    " does not have the batch size " + llvm::Twine(batchDim) +
                    " as its leading dimension");
      t.shape[0] *= batches;
    }
    t.data.resize(slot.getNumBytes() * batches);
    results.push_back(std::move(t));
  }

  SmallVector<void *> buffers(argSlots.size() + resultSlots.size());
  auto runBatch = [&](int64_t b) -> llvm::Error {
    for (auto [i, slot] : llvm::enumerate(argSlots))
      buffers[i] = tensors[i].data.data() + b * slot.getNumBytes();
    for (auto [i, slot] : llvm::enumerate(resultSlots))
      buffers[argSlots.size() + i] =
          results[i].data.data() + b * slot.getNumBytes();
    return (*runner)->run(buffers);
  };

  for (int64_t b = 0; b < batches; ++b)
    if (llvm::Error error = runBatch(b))
      return fail("running @" + entryName +
                  " failed: " + llvm::toString(std::move(error)));

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
    double median =
        times.size() % 2
            ? times[times.size() / 2]
            : 0.5 * (times[times.size() / 2 - 1] + times[times.size() / 2]);
    llvm::outs() << llvm::format(
        "latency: median %.4f ms, min %.4f ms over "
        "%u runs (batch %s)\n",
        median, times.front(), unsigned(benchRuns),
        argSlots.empty() ? "none" : shapeString(argSlots[0].shape).c_str());
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
