//===- ConvertQntToLinalgTest.cpp - The integer program, executed ---------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Execution tests of --convert-qnt-to-linalg: a fake-quant graph (a conv2d
// with bias, per-channel weights, padding and a fused ReLU6; a residual add
// of two inputs with different parameters) is converted, checked to hold no
// float op but the input quantize and output dequantize generics, lowered
// with --qnt-lower-to-llvm and JIT-run on random float inputs (rounding ties
// of the input quantization, values far beyond the grid, grid points). Every
// output element is compared bit for bit with a scalar reference written
// from the numerics contract with the functions of Numerics.h only.
//
//===----------------------------------------------------------------------===//

#include "qnt/Conversion/Passes.h"
#include "qnt/Dialect/Qnt/Utils/Numerics.h"
#include "qnt/InitAll.h"
#include "qnt/Support/JitRunner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// Output elements compared over the whole binary, printed at the end.
int64_t totalCompared = 0;
/// Input elements that were exact rounding ties of the input quantization.
int64_t totalTies = 0;
/// Accumulators whose exact product with the requantize multiplier is a tie
/// (k + 1/2) of its final rounding.
int64_t totalOutputTies = 0;

/// Whether `acc * M` is exactly halfway between two integers.
bool isOutputTie(int64_t acc, QuantizedMultiplier qm) {
  long double r = (long double)acc * (long double)toReal(qm);
  return r - std::floor(r) == 0.5L;
}

/// A double as an MLIR float literal that parses back to the same double.
std::string literal(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17e", v);
  return buffer;
}

/// `dense<"0x...">` raw little-endian data of `values` (exact).
template <typename T>
std::string hexDense(const std::vector<T> &values) {
  std::string s = "dense<\"0x";
  const auto *bytes = reinterpret_cast<const uint8_t *>(values.data());
  char buffer[3];
  for (size_t i = 0; i < values.size() * sizeof(T); ++i) {
    std::snprintf(buffer, sizeof(buffer), "%02X", bytes[i]);
    s += buffer;
  }
  return s + "\">";
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s;
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

/// Parameters of a per-tensor activation.
struct Activation {
  float scale;
  int64_t zeroPoint;
  bool isSigned;
  QuantRange grid() const {
    return isSigned ? QuantRange{-128, 127} : QuantRange{0, 255};
  }
  std::string type() const {
    return std::string("!quant.uniform<") + (isSigned ? "i8" : "u8") +
           ":f32, " + literal(scale) + ":" + std::to_string(zeroPoint) + ">";
  }
};

class ConvertQntToLinalg : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    static bool registered = [] {
      mlir::registerAllPasses();
      mlir::qnt::registerAllPasses();
      return true;
    }();
    (void)registered;
  }

  static void TearDownTestSuite() {
    std::cout << "ConvertQntToLinalg: compared " << totalCompared
              << " output elements bit-exactly in total (" << totalTies
              << " inputs on exact rounding ties of the input quantize, "
              << totalOutputTies
              << " accumulators on exact ties of the output requantize)"
              << std::endl;
  }

  ConvertQntToLinalg() {
    DialectRegistry registry;
    initializeJitTool(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  static std::string print(Operation *op) {
    std::string s;
    llvm::raw_string_ostream os(s);
    op->print(os);
    return s;
  }

  /// Parses `text`, verifies it and runs --convert-qnt-to-linalg on it.
  OwningOpRef<ModuleOp> parseAndConvert(const std::string &text) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(text, ParserConfig(&context));
    EXPECT_TRUE(module) << "cannot parse:\n" << text;
    if (!module)
      return nullptr;
    EXPECT_TRUE(succeeded(mlir::verify(*module))) << text;
    PassManager pm(&context);
    pm.addNestedPass<func::FuncOp>(createConvertQntToLinalgPass());
    bool ok = succeeded(pm.run(*module));
    EXPECT_TRUE(ok) << "--convert-qnt-to-linalg failed on:\n" << text;
    if (!ok)
      return nullptr;
    EXPECT_TRUE(succeeded(mlir::verify(*module)));
    return module;
  }

  /// Whether `type` or anything nested in it is a float type.
  static bool hasFloat(Type type) {
    bool found = false;
    type.walk([&](Type t) {
      if (isa<FloatType>(t))
        found = true;
    });
    return found;
  }

  static bool hasFloat(Operation *op) {
    bool found =
        llvm::any_of(op->getOperandTypes(),
                     [](Type t) { return hasFloat(t); }) ||
        llvm::any_of(op->getResultTypes(), [](Type t) { return hasFloat(t); });
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          found |= hasFloat(arg.getType());
    op->getAttrDictionary().walk([&](Attribute a) {
      if (auto typed = dyn_cast<TypedAttr>(a))
        found |= hasFloat(typed.getType());
    });
    op->getAttrDictionary().walk([&](Type t) { found |= hasFloat(t); });
    return found;
  }

  static bool isF32Tensor(Type t) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    return ranked && ranked.getElementType().isF32();
  }

  /// Checks the converted function: the only float ops are inside the
  /// linalg.generic quantizing each argument (f32 in, integer out) and the
  /// one dequantizing each result (integer in, f32 out), plus the empty
  /// tensors those write into and the return. Returns "" or what is wrong.
  static std::string checkIntegerOnly(func::FuncOp func) {
    std::string problems;
    llvm::raw_string_ostream os(problems);
    llvm::DenseSet<Operation *> allowed;
    int numQuantize = 0, numDequantize = 0;
    func.walk([&](linalg::GenericOp g) {
      bool floatIn = llvm::any_of(
          g.getDpsInputs(), [](Value v) { return hasFloat(v.getType()); });
      bool floatOut = llvm::any_of(
          g.getDpsInits(), [](Value v) { return hasFloat(v.getType()); });
      if (!floatIn && !floatOut)
        return;
      if (floatIn && !floatOut && g.getNumDpsInputs() == 1 &&
          isa<BlockArgument>(g.getDpsInputs()[0]) &&
          isF32Tensor(g.getDpsInputs()[0].getType())) {
        ++numQuantize;
        allowed.insert(g);
        return;
      }
      if (!floatIn && floatOut && g->hasOneUse() &&
          isa<func::ReturnOp>(*g->getUsers().begin())) {
        ++numDequantize;
        allowed.insert(g);
        return;
      }
      os << "float generic that is neither the input quantize nor the "
            "output dequantize: "
         << print(g) << "\n";
    });
    if (numQuantize != int(func.getNumArguments()))
      os << numQuantize << " quantize generics for " << func.getNumArguments()
         << " arguments\n";
    if (numDequantize != int(func.getNumResults()))
      os << numDequantize << " dequantize generics for " << func.getNumResults()
         << " results\n";
    for (BlockArgument arg : func.getArguments())
      for (Operation *user : arg.getUsers())
        if (!allowed.count(user))
          os << "argument " << arg.getArgNumber()
             << " used by something else than its quantize: " << user->getName()
             << "\n";
    func.walk([&](Operation *op) {
      if (op == func.getOperation() || allowed.count(op) ||
          isa<func::ReturnOp>(op))
        return;
      if (auto parent = op->getParentOfType<linalg::GenericOp>();
          parent && allowed.count(parent))
        return;
      if (isa<tensor::EmptyOp>(op) && !op->use_empty() &&
          llvm::all_of(op->getUsers(),
                       [&](Operation *u) { return allowed.count(u) > 0; }))
        return;
      if (hasFloat(op))
        os << "float op: " << print(op) << "\n";
    });
    return problems;
  }

  /// Lowers `module` and JIT-compiles its @main.
  std::unique_ptr<JitRunner> compile(ModuleOp module) {
    auto signature = getEntrySignature(module, "main");
    EXPECT_TRUE(bool(signature)) << llvm::toString(signature.takeError());
    if (!signature)
      return nullptr;
    bool lowered = succeeded(lowerToLLVMIfNeeded(module));
    EXPECT_TRUE(lowered);
    if (!lowered)
      return nullptr;
    auto runner = JitRunner::create(module, "main", *signature);
    EXPECT_TRUE(bool(runner)) << llvm::toString(runner.takeError());
    if (!runner)
      return nullptr;
    return std::move(*runner);
  }

  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }
  int64_t uniformInt(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }
  float logUniform(double lo, double hi) {
    return float(std::exp(uniform(std::log(lo), std::log(hi))));
  }

  /// A random float input for activation `p`: uniform over the grid's range
  /// and beyond, exact rounding ties (k + 1/2) * s of the quantization
  /// (inside and outside the grid), exact grid points, values far beyond
  /// the range, and small values around 0.
  float randomInput(const Activation &p) {
    QuantRange g = p.grid();
    double lo = p.scale * double(g.qmin - p.zeroPoint);
    double hi = p.scale * double(g.qmax - p.zeroPoint);
    double range = hi - lo;
    switch (rng() % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
      return float(uniform(lo - 0.2 * range, hi + 0.2 * range));
    case 4:
    case 5: { // x / s == k - z + 1/2 exactly (checked by the caller)
      int64_t k = uniformInt(g.qmin - 3, g.qmax + 3);
      return float((double(k - p.zeroPoint) + 0.5) * double(p.scale));
    }
    case 6:
      return float(double(uniformInt(g.qmin, g.qmax) - p.zeroPoint) *
                   double(p.scale));
    case 7: {
      double far = uniform(1.0, 1000.0) * range;
      return float(rng() % 2 ? far : -far);
    }
    default:
      return float(uniform(-3.0, 3.0) * p.scale);
    }
  }

  /// Whether the quantization of `x` with scale `s` is an exact tie.
  static bool isTie(float x, float s) {
    float q = x / s;
    return q - std::floor(q) == 0.5f;
  }

  MLIRContext context;
  std::mt19937_64 rng{20250611};
};

//===----------------------------------------------------------------------===//
// Conv2d + bias + fused ReLU6, per-channel weights, pad 1, stride 1
//===----------------------------------------------------------------------===//

struct ConvCase {
  // NHWC input, OHWI weights.
  int64_t n = 4, h = 6, w = 6, cin = 3, cout = 5, kh = 3, kw = 3;
  Activation x, y;
  std::vector<float> weights;  // [cout][kh][kw][cin]
  std::vector<float> wScales;  // [cout]
  std::vector<float> bias;     // [cout]
  std::vector<double> bScales; // [cout] = s_x * s_w[c]
  bool relu6 = true;
  /// Coverage of the reference: outputs clamped by the ReLU6 bound below the
  /// grid's top, by the lower bound, and padded taps with a non-zero input.
  mutable int64_t atRelu6Bound = 0, atLowerBound = 0, paddedTaps = 0;

  std::string module() const {
    std::string xt = "tensor<" + shapeString({n, h, w, cin}) + "f32>";
    std::string yt = "tensor<" + shapeString({n, h, w, cout}) + "f32>";
    std::string wt = "tensor<" + shapeString({cout, kh, kw, cin}) + "f32>";
    std::string bt = "tensor<" + std::to_string(cout) + "xf32>";
    std::string ws, bs;
    for (int64_t c = 0; c < cout; ++c) {
      ws += (c ? "," : "") + literal(wScales[c]);
      bs += (c ? "," : "") + literal(bScales[c]);
    }
    std::string s;
    s += "func.func @main(%x: " + xt + ") -> " + yt + " {\n";
    s += "  %q = qnt.fake_quant %x, " + x.type() + " : " + xt + "\n";
    s += "  %w = \"tosa.const\"() {values = " + hexDense(weights) + " : " + wt +
         "} : () -> " + wt + "\n";
    s += "  %wq = qnt.fake_quant %w, !quant.uniform<i8<-127:127>:f32:0, {" +
         ws + "}> : " + wt + "\n";
    s += "  %b = \"tosa.const\"() {values = " + hexDense(bias) + " : " + bt +
         "} : () -> " + bt + "\n";
    s += "  %bq = qnt.fake_quant %b, !quant.uniform<i32:f32:0, {" + bs +
         "}> : " + bt + "\n";
    s += "  %zp = \"tosa.const\"() {values = dense<0.0> : tensor<1xf32>} : () "
         "-> tensor<1xf32>\n";
    s += "  %c = tosa.conv2d %q, %wq, %bq, %zp, %zp {acc_type = f32, pad = "
         "array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = "
         "array<i64: 1, 1>} : (" +
         xt + ", " + wt + ", " + bt + ", tensor<1xf32>, tensor<1xf32>) -> " +
         yt + "\n";
    std::string last = "%c";
    if (relu6) {
      s += "  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 6.0 : f32, "
           "qnt.fused = true} : (" +
           yt + ") -> " + yt + "\n";
      last = "%r";
    }
    s += "  %o = qnt.fake_quant " + last + ", " + y.type() + " : " + yt + "\n";
    s += "  return %o : " + yt + "\n}\n";
    return s;
  }

  /// The scalar reference, from the numerics contract and Numerics.h only.
  std::vector<float> reference(const std::vector<float> &input) const {
    QuantRange wGrid{-127, 127};
    std::vector<int64_t> xq(input.size());
    for (size_t i = 0; i < input.size(); ++i)
      xq[i] = quantize(input[i], x.scale, x.zeroPoint, x.grid());
    std::vector<int64_t> wq(weights.size());
    for (size_t i = 0; i < weights.size(); ++i)
      wq[i] = quantize(weights[i], wScales[i / (kh * kw * cin)], 0, wGrid);
    QuantRange clamp = y.grid();
    if (relu6) {
      clamp.qmin =
          std::max(clamp.qmin, quantize(0.0f, y.scale, y.zeroPoint, y.grid()));
      clamp.qmax =
          std::min(clamp.qmax, quantize(6.0f, y.scale, y.zeroPoint, y.grid()));
    }
    std::vector<float> out(n * h * w * cout);
    for (int64_t co = 0; co < cout; ++co) {
      double sAcc = double(x.scale) * double(wScales[co]);
      int32_t bq = quantizeBias(bias[co], sAcc);
      std::optional<QuantizedMultiplier> qm =
          quantizeMultiplier(sAcc / double(y.scale));
      EXPECT_TRUE(qm.has_value());
      for (int64_t b = 0; b < n; ++b)
        for (int64_t oh = 0; oh < h; ++oh)
          for (int64_t ow = 0; ow < w; ++ow) {
            int64_t acc = bq;
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t ih = oh - 1 + i, iw = ow - 1 + j;
                for (int64_t ci = 0; ci < cin; ++ci) {
                  // Padding is the zero point: contributes (z - z) = 0.
                  bool padded = ih < 0 || ih >= h || iw < 0 || iw >= w;
                  paddedTaps += padded;
                  int64_t xv = padded ? x.zeroPoint
                                      : xq[((b * h + ih) * w + iw) * cin + ci];
                  acc += (xv - x.zeroPoint) *
                         wq[((co * kh + i) * kw + j) * cin + ci];
                }
              }
            EXPECT_GE(acc, std::numeric_limits<int32_t>::min());
            EXPECT_LE(acc, std::numeric_limits<int32_t>::max());
            int64_t yq = requantize(int32_t(acc), *qm, y.zeroPoint, clamp);
            atRelu6Bound += yq == clamp.qmax && clamp.qmax < y.grid().qmax;
            atLowerBound += yq == clamp.qmin;
            totalOutputTies += isOutputTie(acc, *qm);
            out[((b * h + oh) * w + ow) * cout + co] =
                dequantize(yq, y.scale, y.zeroPoint);
          }
    }
    return out;
  }
};

/// Compares `got` with `expected` bit for bit; reports the first mismatches
/// with their output levels. Returns the number of mismatches.
int64_t compareOutputs(const std::vector<float> &got,
                       const std::vector<float> &expected, const Activation &y,
                       const std::string &where, ArrayRef<int64_t> shape) {
  int64_t mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (bitsOf(got[i]) == bitsOf(expected[i]))
      continue;
    if (++mismatches > 10)
      continue;
    std::string index;
    int64_t rest = int64_t(i);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      index =
          std::to_string(rest % shape[d]) + (index.empty() ? "" : ",") + index;
      rest /= shape[d];
    }
    ADD_FAILURE() << where << " element [" << index << "]: got " << got[i]
                  << " (level ~" << std::llround(got[i] / y.scale) + y.zeroPoint
                  << "), expected " << expected[i] << " (level "
                  << std::llround(expected[i] / y.scale) + y.zeroPoint << ")";
  }
  return mismatches;
}

TEST_F(ConvertQntToLinalg, Conv2dBiasRelu6PerChannelBitExact) {
  constexpr int kTrials = 6, kRuns = 8;
  int64_t compared = 0, mismatches = 0, ties = 0, atRelu6 = 0, atLower = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    ConvCase cc;
    // Non-zero input zero point, never 0; one trial on the grid's edge.
    cc.x = {logUniform(0.005, 0.1), trial == 0 ? 255 : uniformInt(1, 254),
            /*isSigned=*/false};
    // The last trial has dyadic scales: M[c] = s_x * s_w[c] / s_y is a
    // power of two, so that the requantize meets exact rounding ties
    // (acc = 8 mod 16 for M = 2^-4, and 2^-3, 2^-5, ...).
    bool dyadic = trial == kTrials - 1;
    if (dyadic)
      cc.x.scale = 5.0f / 256.0f;
    int64_t perChannel = cc.kh * cc.kw * cc.cin;
    for (int64_t co = 0; co < cc.cout; ++co) {
      double amplitude = dyadic ? 0.5 : uniform(0.05, 1.5);
      double maxAbs = 0;
      for (int64_t i = 0; i < perChannel; ++i) {
        float v = float(uniform(-amplitude, amplitude));
        cc.weights.push_back(v);
        maxAbs = std::max(maxAbs, double(std::fabs(v)));
      }
      // Slightly below max|w| / 127 sometimes: a few weights saturate.
      cc.wScales.push_back(dyadic ? std::ldexp(1.0f, -8 - int(co % 3))
                                  : float(maxAbs / 127.0 * uniform(0.85, 1.1)));
      cc.bias.push_back(float(uniform(-2.0, 2.0)));
      cc.bScales.push_back(double(cc.x.scale) * double(cc.wScales.back()));
    }
    // Output: the ReLU6 bound inside the grid in some trials, beyond it in
    // others; zero point 0 (calibrated ReLU output) or small non-zero.
    cc.y = {logUniform(0.004, 0.06), trial % 3 == 0 ? 0 : uniformInt(1, 60),
            /*isSigned=*/false};
    if (dyadic)
      cc.y.scale = cc.x.scale * std::ldexp(1.0f, -4); // M = 2^-4 .. 2^-6
    SCOPED_TRACE(
        "trial " + std::to_string(trial) + ": s_x " + literal(cc.x.scale) +
        " z_x " + std::to_string(cc.x.zeroPoint) + ", s_y " +
        literal(cc.y.scale) + " z_y " + std::to_string(cc.y.zeroPoint));

    std::string text = cc.module();
    OwningOpRef<ModuleOp> module = parseAndConvert(text);
    ASSERT_TRUE(module);
    auto func = module->lookupSymbol<func::FuncOp>("main");
    ASSERT_TRUE(func);
    EXPECT_EQ(checkIntegerOnly(func), "") << print(*module);
    int numConvs = 0;
    func.walk([&](Operation *op) {
      if (op->getName().getStringRef() == "tosa.conv2d")
        ++numConvs;
      EXPECT_NE(op->getName().getStringRef(), "tosa.clamp")
          << "the ReLU6 should be fused into the requantize";
    });
    EXPECT_EQ(numConvs, 1);

    std::unique_ptr<JitRunner> runner = compile(*module);
    ASSERT_TRUE(runner);
    std::vector<float> input(cc.n * cc.h * cc.w * cc.cin);
    std::vector<float> output(cc.n * cc.h * cc.w * cc.cout);
    for (int run = 0; run < kRuns; ++run) {
      for (float &v : input) {
        v = randomInput(cc.x);
        ties += isTie(v, cc.x.scale);
      }
      std::fill(output.begin(), output.end(),
                std::numeric_limits<float>::quiet_NaN());
      llvm::Error error = runner->run({input.data(), output.data()});
      ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
      std::vector<float> expected = cc.reference(input);
      mismatches +=
          compareOutputs(output, expected, cc.y, "run " + std::to_string(run),
                         {cc.n, cc.h, cc.w, cc.cout});
      compared += int64_t(output.size());
    }
    atRelu6 += cc.atRelu6Bound;
    atLower += cc.atLowerBound;
  }
  EXPECT_EQ(mismatches, 0) << "of " << compared;
  EXPECT_GT(ties, 0);
  EXPECT_GT(atRelu6, 0);
  EXPECT_GT(atLower, 0);
  totalCompared += compared;
  totalTies += ties;
  RecordProperty("compared", std::to_string(compared));
  std::cout << "conv: compared " << compared << " elements, " << ties
            << " input ties, " << atRelu6 << " outputs at the ReLU6 bound, "
            << atLower << " at the lower bound" << std::endl;
}

// Non-finite inputs: NaN quantizes to the zero point, +-Inf saturate
// (Numerics.h), through padding, conv and ReLU6.
TEST_F(ConvertQntToLinalg, Conv2dNonFiniteInputs) {
  ConvCase cc;
  cc.x = {0.03125f, 77, false};
  int64_t perChannel = cc.kh * cc.kw * cc.cin;
  for (int64_t co = 0; co < cc.cout; ++co) {
    for (int64_t i = 0; i < perChannel; ++i)
      cc.weights.push_back(float(uniform(-1.0, 1.0)));
    cc.wScales.push_back(1.0f / 127.0f);
    cc.bias.push_back(float(uniform(-1.0, 1.0)));
    cc.bScales.push_back(double(cc.x.scale) * double(cc.wScales.back()));
  }
  cc.y = {0.03f, 3, false};
  OwningOpRef<ModuleOp> module = parseAndConvert(cc.module());
  ASSERT_TRUE(module);
  std::unique_ptr<JitRunner> runner = compile(*module);
  ASSERT_TRUE(runner);
  std::vector<float> input(cc.n * cc.h * cc.w * cc.cin);
  std::vector<float> output(cc.n * cc.h * cc.w * cc.cout);
  const float special[] = {std::numeric_limits<float>::quiet_NaN(),
                           std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::max(),
                           -std::numeric_limits<float>::max(),
                           std::numeric_limits<float>::denorm_min(),
                           -0.0f};
  int64_t compared = 0, mismatches = 0;
  for (int run = 0; run < 4; ++run) {
    for (float &v : input)
      v = rng() % 2 ? special[rng() % std::size(special)] : randomInput(cc.x);
    llvm::Error error = runner->run({input.data(), output.data()});
    ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
    mismatches += compareOutputs(output, cc.reference(input), cc.y,
                                 "run " + std::to_string(run),
                                 {cc.n, cc.h, cc.w, cc.cout});
    compared += int64_t(output.size());
  }
  EXPECT_EQ(mismatches, 0) << "of " << compared;
  totalCompared += compared;
  std::cout << "conv non-finite: compared " << compared << " elements"
            << std::endl;
}

// The checker of checkIntegerOnly is not vacuous: the unconverted graph
// fails it.
TEST_F(ConvertQntToLinalg, IntegerOnlyCheckRejectsFloatGraph) {
  ConvCase cc;
  cc.x = {0.02f, 100, false};
  cc.y = {0.02f, 0, false};
  for (int64_t co = 0; co < cc.cout; ++co) {
    for (int64_t i = 0; i < cc.kh * cc.kw * cc.cin; ++i)
      cc.weights.push_back(0.5f);
    cc.wScales.push_back(0.5f / 127.0f);
    cc.bias.push_back(0.25f);
    cc.bScales.push_back(double(cc.x.scale) * double(cc.wScales.back()));
  }
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(cc.module(), ParserConfig(&context));
  ASSERT_TRUE(module);
  std::string problems =
      checkIntegerOnly(module->lookupSymbol<func::FuncOp>("main"));
  EXPECT_NE(problems.find("float op: %"), std::string::npos) << problems;
  EXPECT_NE(problems.find("0 quantize generics for 1 arguments"),
            std::string::npos)
      << problems;
}

//===----------------------------------------------------------------------===//
// Add (TFLite: common scale 2 * max(s_a, s_b), 20-bit left shift)
//===----------------------------------------------------------------------===//

struct AddCase {
  SmallVector<int64_t> shape = {4, 6, 6, 3};
  SmallVector<int64_t> shapeB = {4, 6, 6, 3}; // may broadcast
  Activation a, b, y;

  std::string module() const {
    std::string at = "tensor<" + shapeString(shape) + "f32>";
    std::string bt = "tensor<" + shapeString(shapeB) + "f32>";
    std::string s;
    s += "func.func @main(%a: " + at + ", %b: " + bt + ") -> " + at + " {\n";
    s += "  %qa = qnt.fake_quant %a, " + a.type() + " : " + at + "\n";
    s += "  %qb = qnt.fake_quant %b, " + b.type() + " : " + bt + "\n";
    s += "  %s = tosa.add %qa, %qb : (" + at + ", " + bt + ") -> " + at + "\n";
    s += "  %o = qnt.fake_quant %s, " + y.type() + " : " + at + "\n";
    s += "  return %o : " + at + "\n}\n";
    return s;
  }

  /// Index into b of output element `i` (numpy broadcasting, same rank).
  int64_t indexB(int64_t i) const {
    int64_t index = 0, stride = 1;
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      int64_t coord = i % shape[d];
      i /= shape[d];
      index += (shapeB[d] == 1 ? 0 : coord) * stride;
      stride *= shapeB[d];
    }
    return index;
  }

  std::vector<float> reference(const std::vector<float> &inA,
                               const std::vector<float> &inB) const {
    constexpr int kLeftShift = 20;
    double common = 2.0 * std::max(double(a.scale), double(b.scale));
    auto qmA = quantizeMultiplier(double(a.scale) / common);
    auto qmB = quantizeMultiplier(double(b.scale) / common);
    auto qmOut =
        quantizeMultiplier(common / (std::ldexp(1.0, kLeftShift) * y.scale));
    EXPECT_TRUE(qmA && qmB && qmOut);
    auto rescale = [&](float v, const Activation &p, QuantizedMultiplier qm) {
      int64_t centered =
          quantize(v, p.scale, p.zeroPoint, p.grid()) - p.zeroPoint;
      int64_t shifted = centered * (int64_t(1) << kLeftShift);
      EXPECT_LE(std::abs(shifted), std::numeric_limits<int32_t>::max());
      return int64_t(multiplyByQuantizedMultiplier(int32_t(shifted), qm));
    };
    std::vector<float> out(inA.size());
    for (size_t i = 0; i < inA.size(); ++i) {
      int64_t sum =
          rescale(inA[i], a, *qmA) + rescale(inB[indexB(int64_t(i))], b, *qmB);
      EXPECT_LE(std::abs(sum), std::numeric_limits<int32_t>::max());
      totalOutputTies += isOutputTie(sum, *qmOut);
      int64_t yq = requantize(int32_t(sum), *qmOut, y.zeroPoint, y.grid());
      out[i] = dequantize(yq, y.scale, y.zeroPoint);
    }
    return out;
  }
};

class ConvertQntToLinalgAdd : public ConvertQntToLinalg {
protected:
  /// Random parameters on a u8 or i8 grid; the zero point is never 0.
  Activation randomActivation(bool isSigned, double lo, double hi) {
    Activation p{logUniform(lo, hi), 0, isSigned};
    do
      p.zeroPoint = isSigned ? uniformInt(-128, 127) : uniformInt(0, 255);
    while (p.zeroPoint == 0);
    return p;
  }

  void run(bool isSigned, bool broadcast, int trials) {
    constexpr int kRuns = 8;
    int64_t compared = 0, mismatches = 0, ties = 0;
    for (int trial = 0; trial < trials; ++trial) {
      AddCase ac;
      if (broadcast)
        ac.shapeB = {1, 1, 1, 3};
      ac.a = randomActivation(isSigned, 0.002, 0.1);
      // Sometimes equal scales (a common-scale edge), sometimes up to 50x
      // apart.
      ac.b = randomActivation(isSigned, 0.002, 0.1);
      if (trial == 1)
        ac.b.scale = ac.a.scale;
      double sumRange = 255.0 * (ac.a.scale + ac.b.scale);
      ac.y = randomActivation(isSigned, sumRange / 255.0 * 0.4,
                              sumRange / 255.0 * 1.2);
      // Dyadic scales: every rescale is exact and the output rounding meets
      // exact ties ((c_a + c_b) / 2, (c_a + c_b / 4) / 2 odd sums).
      if (trial == 2) {
        ac.b.scale = ac.a.scale;
        ac.y.scale = 2.0f * ac.a.scale;
      } else if (trial == 3) {
        ac.b.scale = ac.a.scale / 4.0f;
        ac.y.scale = 2.0f * ac.a.scale;
      }
      SCOPED_TRACE("trial " + std::to_string(trial) + ": a " + ac.a.type() +
                   ", b " + ac.b.type() + ", y " + ac.y.type());
      std::string text = ac.module();
      OwningOpRef<ModuleOp> module = parseAndConvert(text);
      ASSERT_TRUE(module);
      auto func = module->lookupSymbol<func::FuncOp>("main");
      ASSERT_TRUE(func);
      EXPECT_EQ(checkIntegerOnly(func), "") << print(*module);

      std::unique_ptr<JitRunner> runner = compile(*module);
      ASSERT_TRUE(runner);
      std::vector<float> inA(numElements(ac.shape)),
          inB(numElements(ac.shapeB)), output(numElements(ac.shape));
      for (int r = 0; r < kRuns; ++r) {
        for (float &v : inA) {
          v = randomInput(ac.a);
          ties += isTie(v, ac.a.scale);
        }
        for (float &v : inB) {
          v = randomInput(ac.b);
          ties += isTie(v, ac.b.scale);
        }
        std::fill(output.begin(), output.end(),
                  std::numeric_limits<float>::quiet_NaN());
        llvm::Error error =
            runner->run({inA.data(), inB.data(), output.data()});
        ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
        mismatches += compareOutputs(output, ac.reference(inA, inB), ac.y,
                                     "run " + std::to_string(r), ac.shape);
        compared += int64_t(output.size());
      }
    }
    EXPECT_EQ(mismatches, 0) << "of " << compared;
    EXPECT_GT(ties, 0);
    totalCompared += compared;
    totalTies += ties;
    RecordProperty("compared", std::to_string(compared));
    std::cout << "add: compared " << compared << " elements, " << ties
              << " input ties" << std::endl;
  }
};

TEST_F(ConvertQntToLinalgAdd, U8BitExact) { run(false, false, 6); }

TEST_F(ConvertQntToLinalgAdd, I8BitExact) { run(true, false, 4); }

TEST_F(ConvertQntToLinalgAdd, U8BroadcastBitExact) { run(false, true, 3); }

} // namespace
