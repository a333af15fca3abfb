//===- quant-calibrate.cpp - Record statistics on real data ---------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
//   quant-calibrate observed.mlir --data calib.npy [--data ...]
//                   [--batch-size N] [--limit K] [--stats-out stats.json]
//                   -o calibrated.mlir
//
// Compiles a copy of the observed model with every activation observer turned
// into a call to the runtime below (--qnt-instrument-observers), runs it on
// the data, and writes the original module back with each activation
// qnt.observe holding its statistics (#qnt.stats). Statistics are updated one
// sample at a time in data order (see qnt/Calibration/Statistics.h), so the
// result does not depend on the batch size.
//
//===----------------------------------------------------------------------===//

#include "qnt/Calibration/Statistics.h"
#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/InitAll.h"
#include "qnt/Support/JitRunner.h"
#include "qnt/Support/TensorFile.h"

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
#include "llvm/Support/JSON.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
using namespace mlir::qnt;

static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                            llvm::cl::desc("<observed.mlir>"),
                                            llvm::cl::init("-"));
static llvm::cl::list<std::string>
    dataFiles("data", llvm::cl::desc("Calibration data (.npy or ONNX .pb), "
                                     "one per entry argument, samples along "
                                     "dimension 0"));
static llvm::cl::opt<std::string>
    outputFile("o", llvm::cl::desc("Calibrated module"), llvm::cl::init("-"));
static llvm::cl::opt<std::string>
    statsOut("stats-out", llvm::cl::desc("Also write the statistics as JSON"));
static llvm::cl::opt<int64_t>
    batchSize("batch-size",
              llvm::cl::desc("Samples per progress step; a multiple of the "
                             "entry's batch dimension (default: it)"),
              llvm::cl::init(0));
static llvm::cl::opt<int64_t>
    limit("limit", llvm::cl::desc("Use only the first K samples"),
          llvm::cl::init(0));
static llvm::cl::opt<std::string> entryName("entry",
                                            llvm::cl::desc("Entry function"),
                                            llvm::cl::init("main"));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "quant-calibrate: error: " << message << "\n";
  return 1;
}

//===----------------------------------------------------------------------===//
// Runtime called by the instrumented model
//===----------------------------------------------------------------------===//

namespace {
struct Runtime {
  std::vector<ObserverStatistics> observers;
  /// The entry's batch dimension.
  int64_t modelBatch = 1;
  /// Observers whose tensor is not batch-major and that saw a padded run.
  std::vector<bool> paddedWhole;
  /// Samples of the current run that are real data (the last run may be
  /// padded up to the entry's batch).
  int64_t validSamples = 0;
  /// Set when the compiled code reports an id it should not have.
  bool badCall = false;
};
Runtime runtime;
} // namespace

extern "C" void qntObserve(int64_t id, int64_t batch, int64_t sampleSize,
                           int64_t address) {
  if (id < 0 || id >= static_cast<int64_t>(runtime.observers.size())) {
    runtime.badCall = true;
    return;
  }
  const float *data = reinterpret_cast<const float *>(address);
  if (batch == 0) {
    // Not batch-major: the whole tensor is one record, which a padded run
    // would contaminate.
    if (runtime.validSamples != runtime.modelBatch) {
      runtime.paddedWhole[id] = true;
      return;
    }
    runtime.observers[id].addSample(data, sampleSize);
    return;
  }
  int64_t samples = std::min(batch, runtime.validSamples);
  for (int64_t s = 0; s < samples; ++s)
    runtime.observers[id].addSample(data + s * sampleSize, sampleSize);
}

//===----------------------------------------------------------------------===//
// Progress
//===----------------------------------------------------------------------===//

namespace {
/// A bar on a terminal, a line every 10% otherwise.
class Progress {
public:
  explicit Progress(int64_t total)
      : total(total), terminal(llvm::sys::Process::StandardErrIsDisplayed()) {}
  void update(int64_t done) {
    int percent = total ? static_cast<int>(done * 100 / total) : 100;
    if (terminal) {
      int width = 40, filled = percent * width / 100;
      llvm::errs() << "\rcalibrating [" << std::string(filled, '#')
                   << std::string(width - filled, ' ') << "] " << percent
                   << "% " << done << "/" << total << " samples";
      if (done == total)
        llvm::errs() << "\n";
      llvm::errs().flush();
      return;
    }
    while (nextReport <= percent) {
      llvm::errs() << "calibrating: " << nextReport << "% (" << done << "/"
                   << total << " samples)\n";
      nextReport += 10;
    }
  }

private:
  int64_t total;
  bool terminal;
  int nextReport = 10;
};
} // namespace

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

static StatsAttr toAttr(MLIRContext *context, const ObserverStatistics &s) {
  auto f = [](double v) { return llvm::APFloat(v); };
  return StatsAttr::get(context, s.getCount(), s.getNanCount(), s.getInfCount(),
                        f(s.getMin()), f(s.getMax()), f(s.getEmaMin()),
                        f(s.getEmaMax()), s.getHistogram(),
                        f(s.getHistogramMin()), f(s.getHistogramMax()));
}

static llvm::json::Object toJson(StringRef name, const ObserverStatistics &s) {
  llvm::json::Array hist;
  for (int64_t c : s.getHistogram())
    hist.push_back(c);
  return llvm::json::Object{{"name", name},
                            {"count", s.getCount()},
                            {"nan_count", s.getNanCount()},
                            {"inf_count", s.getInfCount()},
                            {"min", s.getMin()},
                            {"max", s.getMax()},
                            {"ema_min", s.getEmaMin()},
                            {"ema_max", s.getEmaMax()},
                            {"hist_min", s.getHistogramMin()},
                            {"hist_max", s.getHistogramMax()},
                            {"hist", std::move(hist)}};
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  mlir::qnt::registerAllPasses();
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "quant-calibrate: run an observed model on calibration data and record "
      "the statistics of every activation observer\n");
  keepFreedMemoryForReuse();

  DialectRegistry registry;
  initializeJitTool(registry);
  MLIRContext context(registry);
  context.disableMultithreading();

  std::string errorMessage;
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseModuleFile(inputFile, context, sourceMgr, errorMessage);
  if (!module)
    return errorMessage.empty() ? 1 : fail(errorMessage);

  if (batchSize < 0)
    return fail("--batch-size must be positive, got " + llvm::Twine(batchSize));
  if (limit < 0)
    return fail("--limit must be positive, got " + llvm::Twine(limit));

  // The activation observers, in the walk order the instrumentation uses.
  SmallVector<ObserveOp> observers;
  module->walk([&](ObserveOp op) {
    if (op.getRole() == ObserveRole::Activation)
      observers.push_back(op);
  });
  if (observers.empty())
    return fail(inputFile + " has no activation qnt.observe; run "
                            "--qnt-insert-observers first");

  auto signature = getEntrySignature(*module, entryName);
  if (!signature)
    return fail(llvm::toString(signature.takeError()));
  const SmallVector<TensorSlot> &inputs = signature->inputs;
  if (dataFiles.size() != inputs.size())
    return fail("@" + entryName + " takes " + llvm::Twine(inputs.size()) +
                " inputs but " + llvm::Twine(dataFiles.size()) +
                " --data were given");

  // Data: samples along dimension 0; the entry runs `modelBatch` at a time.
  SmallVector<HostTensor> data;
  int64_t samples = -1;
  for (auto [i, path] : llvm::enumerate(dataFiles)) {
    auto tensor = readTensorFile(path);
    if (!tensor)
      return fail(llvm::toString(tensor.takeError()));
    const TensorSlot &slot = inputs[i];
    if (slot.shape.empty())
      return fail("input " + llvm::Twine(i) + " of @" + entryName +
                  " is a scalar; calibration needs a batch dimension");
    if (tensor->shape.empty() || tensor->getNumElements() == 0)
      return fail(path + ": holds no samples");
    // Any number of samples: compare one sample's shape.
    TensorSlot sample = slot;
    sample.shape[0] = 1;
    HostTensor first = *tensor;
    first.shape[0] = 1;
    first.data.clear();
    if (auto ok = countBatches(first, sample, path, i, entryName); !ok)
      return fail(llvm::toString(ok.takeError()));
    int64_t count = tensor->shape[0];
    if (samples >= 0 && count != samples)
      return fail(path + ": holds " + llvm::Twine(count) +
                  " samples but the previous data holds " +
                  llvm::Twine(samples));
    samples = count;
    data.push_back(std::move(*tensor));
  }
  if (limit > 0)
    samples = std::min<int64_t>(samples, limit);
  int64_t modelBatch = inputs.empty() ? 1 : inputs[0].shape[0];
  for (auto [i, slot] : llvm::enumerate(inputs))
    if (slot.shape[0] != modelBatch)
      return fail(
          "the inputs of @" + entryName + " have different batch dimensions (" +
          llvm::Twine(modelBatch) + " and " + llvm::Twine(slot.shape[0]) +
          " for input " + llvm::Twine(i) + "); calibration needs one");
  int64_t step = batchSize ? batchSize : modelBatch;
  if (step % modelBatch != 0)
    return fail("--batch-size " + llvm::Twine(step) +
                " is not a multiple of @" + entryName + "'s batch dimension " +
                llvm::Twine(modelBatch));

  // Compile an instrumented copy.
  OwningOpRef<ModuleOp> instrumented = cast<ModuleOp>((*module)->clone());
  {
    PassManager pm(&context);
    pm.addPass(createQntInstrumentObserversPass({modelBatch}));
    if (failed(pm.run(*instrumented)))
      return fail("cannot instrument the observers of " + inputFile);
  }
  if (failed(lowerToLLVMIfNeeded(*instrumented)))
    return fail("lowering " + inputFile + " to LLVM failed");
  std::pair<StringRef, void *> symbols[] = {
      {"qnt_observe", reinterpret_cast<void *>(&qntObserve)}};
  auto runner =
      JitRunner::create(*instrumented, entryName, *signature, symbols);
  if (!runner)
    return fail("JIT compilation failed: " +
                llvm::toString(runner.takeError()));

  // Run, one entry call per modelBatch samples; the last one padded with
  // copies of the last sample, which the runtime ignores.
  runtime.observers.assign(observers.size(), ObserverStatistics());
  runtime.paddedWhole.assign(observers.size(), false);
  runtime.modelBatch = modelBatch;
  SmallVector<AlignedBytes> batchInputs;
  for (const TensorSlot &slot : inputs)
    batchInputs.emplace_back(slot.getNumBytes());
  SmallVector<AlignedBytes> results;
  for (const TensorSlot &slot : signature->results)
    results.emplace_back(slot.getNumBytes());
  SmallVector<void *> buffers;
  for (auto &b : batchInputs)
    buffers.push_back(b.data());
  for (auto &r : results)
    buffers.push_back(r.data());

  Progress progress(samples);
  auto start = std::chrono::steady_clock::now();
  for (int64_t first = 0; first < samples; first += modelBatch) {
    runtime.validSamples = std::min(modelBatch, samples - first);
    for (auto [i, slot] : llvm::enumerate(inputs)) {
      int64_t sampleBytes = slot.getNumBytes() / modelBatch;
      for (int64_t s = 0; s < modelBatch; ++s) {
        int64_t from = std::min(first + s, samples - 1);
        std::memcpy(batchInputs[i].data() + s * sampleBytes,
                    data[i].data.data() + from * sampleBytes, sampleBytes);
      }
    }
    if (llvm::Error error = (*runner)->run(buffers))
      return fail("running @" + entryName +
                  " failed: " + llvm::toString(std::move(error)));
    if (runtime.badCall)
      return fail("the instrumented model reported an unknown observer");
    int64_t done = first + runtime.validSamples;
    if (done % step == 0 || done == samples)
      progress.update(done);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  llvm::errs() << llvm::format("calibrated %u observers on %lld samples in "
                               "%.2f s\n",
                               unsigned(observers.size()), (long long)samples,
                               seconds);

  for (auto [op, padded] : llvm::zip(observers, runtime.paddedWhole))
    if (padded)
      return fail("observer '" + op.getName() +
                  "' observes a tensor whose dimension 0 is not the batch, "
                  "and the last run was padded: use a number of samples that "
                  "is a multiple of " +
                  llvm::Twine(modelBatch));

  // Write the statistics back.
  llvm::json::Array json;
  for (auto [op, stats] : llvm::zip(observers, runtime.observers)) {
    op.setStatsAttr(toAttr(&context, stats));
    if (stats.getNanCount() || stats.getInfCount())
      llvm::errs() << "quant-calibrate: warning: observer '" << op.getName()
                   << "' saw " << stats.getNanCount() << " NaN and "
                   << stats.getInfCount()
                   << " infinite values, left out of its statistics\n";
    if (!stats.getCount())
      llvm::errs() << "quant-calibrate: warning: observer '" << op.getName()
                   << "' saw no finite value\n";
    json.push_back(toJson(op.getName(), stats));
  }

  auto output = openOutputFile(outputFile, &errorMessage);
  if (!output)
    return fail(errorMessage);
  // With locations: they carry the ONNX node names (see InitAll.h).
  module->print(output->os(), OpPrintingFlags().enableDebugInfo());
  output->os() << "\n";
  output->keep();

  if (!statsOut.empty()) {
    auto stats = openOutputFile(statsOut, &errorMessage);
    if (!stats)
      return fail(errorMessage);
    stats->os() << llvm::formatv(
        "{0}\n", llvm::json::Value(llvm::json::Object{
                     {"samples", samples}, {"observers", std::move(json)}}));
    stats->keep();
  }
  return 0;
}
