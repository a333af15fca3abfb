//===- quant-run.cpp - Run a model natively with the ExecutionEngine ------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
//   quant-run model.mlir --input a.npy [--input b.pb ...] --output y.npy
//             [--bench N] [--profile]
//
// Parses the module, lowers it with --qnt-lower-to-llvm unless it already is
// LLVM, JIT-compiles it for the host CPU at O3 and runs the entry function.
// An input whose leading dimension is a multiple of the entry's batch size
// runs batch by batch; the outputs are concatenated along dimension 0.
// --profile lowers with every kernel timed (--qnt-profile-kernels) and prints
// the time per kernel over the timed runs.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"
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
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
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
static llvm::cl::opt<bool>
    profile("profile",
            llvm::cl::desc("Time every kernel (loop nest) of the program and "
                           "print the time per kernel, over the --bench runs "
                           "or else over the batches"),
            llvm::cl::init(false));
static llvm::cl::opt<bool> profileLoops(
    "profile-loops",
    llvm::cl::desc("With --profile, one row per loop nest instead of one per "
                   "layer (the loop nests of one source location)"),
    llvm::cl::init(false));
static llvm::cl::opt<std::string> entryName("entry",
                                            llvm::cl::desc("Entry function"),
                                            llvm::cl::init("main"));

namespace {
/// What the probes of --qnt-profile-kernels accumulate, per kernel id.
struct KernelTimes {
  using Clock = std::chrono::steady_clock;
  std::vector<double> seconds;
  std::vector<uint64_t> calls;
  std::vector<Clock::time_point> started;
  void reset(size_t n) {
    seconds.assign(n, 0);
    calls.assign(n, 0);
    started.assign(n, Clock::time_point());
  }
};
KernelTimes kernelTimes;
} // namespace

extern "C" void qnt_profile_enter(int64_t id) {
  if (id >= 0 && size_t(id) < kernelTimes.started.size())
    kernelTimes.started[id] = KernelTimes::Clock::now();
}

extern "C" void qnt_profile_exit(int64_t id) {
  if (id < 0 || size_t(id) >= kernelTimes.started.size())
    return;
  kernelTimes.seconds[id] +=
      std::chrono::duration<double>(KernelTimes::Clock::now() -
                                    kernelTimes.started[id])
          .count();
  ++kernelTimes.calls[id];
}

/// Prints the kernels' time per run, summed over the kernels of one name
/// (peeled loops of a layer), the slowest first.
static void printProfile(ArrayRef<std::string> names, unsigned runs,
                         double measuredMs) {
  struct Row {
    std::string name;
    unsigned first;
    unsigned kernels = 0;
    double ms = 0;
  };
  SmallVector<Row> rows;
  llvm::StringMap<unsigned> rowOf;
  double totalMs = 0;
  for (auto [id, name] : llvm::enumerate(names)) {
    std::string key = profileLoops ? std::to_string(id) : name;
    auto [it, inserted] = rowOf.try_emplace(key, rows.size());
    if (inserted)
      rows.push_back({name, unsigned(id)});
    Row &row = rows[it->second];
    ++row.kernels;
    double ms = 1e3 * kernelTimes.seconds[id] / std::max(runs, 1u);
    row.ms += ms;
    totalMs += ms;
  }
  llvm::sort(rows, [](const Row &a, const Row &b) {
    return a.ms != b.ms ? a.ms > b.ms : a.first < b.first;
  });
  llvm::outs() << llvm::format("profile: %u kernels in %u groups, time per "
                               "run over %u runs, the slowest first\n",
                               unsigned(names.size()), unsigned(rows.size()),
                               runs);
  llvm::outs() << "     ms/run       %    cum %  first  loops  kernel\n";
  double cumulative = 0;
  for (const Row &row : rows) {
    cumulative += row.ms;
    llvm::outs() << llvm::format("  %9.4f  %5.1f%%  %6.1f%%  %5u  %5u  ",
                                 row.ms, totalMs ? 100 * row.ms / totalMs : 0.,
                                 totalMs ? 100 * cumulative / totalMs : 0.,
                                 row.first, row.kernels)
                 << row.name << "\n";
  }
  llvm::outs() << llvm::format("  %9.4f ms per run in kernels", totalMs);
  if (measuredMs > 0)
    llvm::outs() << llvm::format(", %.4f ms per run measured (the rest: "
                                 "buffer allocation, calls, probes)",
                                 measuredMs);
  llvm::outs() << "\n";
}

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
  keepFreedMemoryForReuse();

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

  if (failed(lowerToLLVMIfNeeded(*module, profile)))
    return fail("lowering " + inputFile + " to LLVM failed");
  SmallVector<std::string> kernelNames;
  if (profile) {
    auto names = (*module)->getAttrOfType<ArrayAttr>(kProfileKernelsAttrName);
    if (!names)
      return fail("--profile: " + inputFile +
                  " is already lowered to LLVM without probes; give the "
                  "module before --qnt-lower-to-llvm, or lower it with "
                  "--qnt-lower-to-llvm=profile=1");
    for (Attribute name : names)
      kernelNames.push_back(cast<StringAttr>(name).str());
    kernelTimes.reset(kernelNames.size());
  }
  std::pair<StringRef, void *> probes[] = {
      {kProfileEnterName, reinterpret_cast<void *>(&qnt_profile_enter)},
      {kProfileExitName, reinterpret_cast<void *>(&qnt_profile_exit)}};
  auto runner = JitRunner::create(*module, entryName, *signature,
                                  profile ? JitRunner::Symbols(probes)
                                          : JitRunner::Symbols());
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

  unsigned profiledRuns = batches;
  double profiledMs = 0;
  if (benchRuns > 0) {
    SmallVector<double> times;
    for (unsigned r = 0; r <= benchRuns; ++r) {
      if (r == 1) // profile the timed runs
        kernelTimes.reset(kernelNames.size());
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
    profiledRuns = benchRuns;
    for (double t : times)
      profiledMs += t / benchRuns;
    llvm::outs() << llvm::format(
        "latency: median %.4f ms, min %.4f ms over "
        "%u runs (batch %s)\n",
        median, times.front(), unsigned(benchRuns),
        argSlots.empty() ? "none" : shapeString(argSlots[0].shape).c_str());
  }

  if (profile)
    printProfile(kernelNames, profiledRuns, profiledMs);

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
