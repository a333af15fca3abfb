//===- RequantizeTest.cpp - Requantization linalg.generic, executed -------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Builds `func.func @main(%acc: tensor<...xi32>) -> tensor<...xiN>` around
// buildRequantize, checks that no float type appears in it, lowers it with
// --qnt-lower-to-llvm, JIT-runs it on many random accumulators (extremes,
// rounding ties of both rounding steps, uniform int32, realistic small sums)
// and compares every element bit for bit with mlir::qnt::requantize.
//
//===----------------------------------------------------------------------===//

#include "qnt/Conversion/QntToLinalg/Requantize.h"
#include "qnt/Dialect/Qnt/Utils/Numerics.h"
#include "qnt/InitAll.h"
#include "qnt/Support/JitRunner.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::qnt;

namespace {

constexpr int32_t kI32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kI32Max = std::numeric_limits<int32_t>::max();

/// Values compared over the whole binary, printed at the end.
int64_t totalCompared = 0;

class Requantize : public ::testing::Test {
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
    std::cout << "Requantize: compared " << totalCompared
              << " values bit-exactly in total" << std::endl;
  }

  Requantize() {
    DialectRegistry registry;
    initializeJitTool(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// `func.func @main(%acc: tensor<shape x i32>) -> tensor<shape x out>`.
  OwningOpRef<ModuleOp> buildModule(ArrayRef<int64_t> shape,
                                    const RequantizeParams &params,
                                    Type outElementType) {
    OpBuilder b(&context);
    Location loc = b.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    auto accType = RankedTensorType::get(shape, b.getI32Type());
    auto outType = RankedTensorType::get(shape, outElementType);
    auto func = func::FuncOp::create(b, loc, "main",
                                     b.getFunctionType({accType}, {outType}));
    Block *body = func.addEntryBlock();
    b.setInsertionPointToEnd(body);
    Value out =
        buildRequantize(b, loc, body->getArgument(0), params, outElementType);
    func::ReturnOp::create(b, loc, out);
    return module;
  }

  /// Every float type anywhere in `module`, printed ("" when none): op
  /// operands, results, block arguments and attributes, nested types
  /// included.
  static std::string findFloatTypes(ModuleOp module) {
    std::string found;
    llvm::raw_string_ostream os(found);
    auto check = [&](Type type) {
      type.walk([&](Type t) {
        if (isa<FloatType>(t))
          os << t << " ";
      });
    };
    module->walk([&](Operation *op) {
      for (Type t : op->getOperandTypes())
        check(t);
      for (Type t : op->getResultTypes())
        check(t);
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            check(arg.getType());
      op->getAttrDictionary().walk([&](Type t) {
        if (isa<FloatType>(t))
          os << t << " ";
      });
    });
    return found;
  }

  /// Accumulators for channel `qm`: extremes, ties of the first rounding
  /// (multiples of 2^k +- 1), exact ties of the second rounding solved for
  /// this multiplier, uniform int32 and small realistic sums.
  int32_t randomAccumulator(QuantizedMultiplier qm) {
    static constexpr int32_t kSpecial[] = {
        kI32Min, kI32Min + 1, kI32Max, kI32Max - 1, 0, 1, -1, 2, -2};
    switch (rng() % 6) {
    case 0:
      return kSpecial[rng() % std::size(kSpecial)];
    case 1: { // +-(k * 2^j) + {-1, 0, 1}
      int j = int(rng() % 31);
      int64_t k = int64_t(rng() % 7) + 1;
      int64_t v = (k << j) + int64_t(rng() % 3) - 1;
      if (rng() % 2)
        v = -v;
      return int32_t(std::clamp<int64_t>(v, kI32Min, kI32Max));
    }
    case 2: { // x * M close to a half-integer of the final rounding
      if (qm.multiplier == 0)
        return int32_t(rng());
      int rightShift = std::max(-qm.shift, 0);
      int leftShift = std::max(qm.shift, 0);
      // A tie of roundingDivideByPOT: high = (2t + 1) * 2^(e-1), or any
      // value when e = 0; then x ~ high * 2^(31 - leftShift) / m0.
      int64_t t = int64_t(rng() % 2001) - 1000;
      long double high = rightShift == 0
                             ? (long double)t
                             : (long double)(2 * t + 1) *
                                   std::ldexp((long double)1, rightShift - 1);
      long double x = high * std::ldexp((long double)1, 31 - leftShift) /
                      (long double)qm.multiplier;
      int64_t v = int64_t(std::llround(x)) + int64_t(rng() % 5) - 2;
      return int32_t(std::clamp<int64_t>(v, kI32Min, kI32Max));
    }
    case 3:
      return int32_t(uint32_t(rng()));
    default: // |acc| < 2^20: sums of a few hundred int8 products
      return int32_t(int64_t(rng() % (1 << 21)) - (1 << 20));
    }
  }

  /// Random per-channel multipliers from reals log-uniform in [lo, hi]; by
  /// default [1e-6, 4]: shifts from -19 to 3.
  SmallVector<QuantizedMultiplier>
  randomMultipliers(int64_t count, double lo = 1e-6, double hi = 4.0) {
    std::uniform_real_distribution<double> logM(std::log(lo), std::log(hi));
    SmallVector<QuantizedMultiplier> result;
    for (int64_t i = 0; i < count; ++i) {
      auto qm = quantizeMultiplier(std::exp(logM(rng)));
      EXPECT_TRUE(qm.has_value());
      result.push_back(*qm);
    }
    return result;
  }

  /// Builds, checks, lowers and JIT-runs `params` on `shape`, `runs` times on
  /// fresh accumulators, comparing every element with the reference.
  /// `offset` is subtracted from the reference (offsetToSigned checks).
  void check(ArrayRef<int64_t> shape, const RequantizeParams &params,
             unsigned outWidth, int minValues = 10000,
             const RequantizeParams *reference = nullptr, int64_t offset = 0) {
    if (!reference)
      reference = &params;
    Type outElementType = IntegerType::get(&context, outWidth);
    std::string why;
    ASSERT_TRUE(isValidRequantize(
        RankedTensorType::get(shape, IntegerType::get(&context, 32)), params,
        outElementType, &why))
        << why;
    OwningOpRef<ModuleOp> module = buildModule(shape, params, outElementType);
    ASSERT_TRUE(succeeded(mlir::verify(*module)));
    EXPECT_EQ(findFloatTypes(*module), "");
    int numGenerics = 0;
    module->walk([&](linalg::GenericOp) { ++numGenerics; });
    EXPECT_EQ(numGenerics, 1);

    auto signature = getEntrySignature(*module, "main");
    ASSERT_TRUE(bool(signature)) << llvm::toString(signature.takeError());
    ASSERT_TRUE(succeeded(lowerToLLVMIfNeeded(*module)));
    auto runner = JitRunner::create(*module, "main", *signature);
    ASSERT_TRUE(bool(runner)) << llvm::toString(runner.takeError());

    int64_t numElements = 1;
    for (int64_t d : shape)
      numElements *= d;
    int64_t channelStride = 1;
    if (params.axis >= 0)
      for (size_t d = params.axis + 1; d < shape.size(); ++d)
        channelStride *= shape[d];
    auto channelOf = [&](int64_t i) -> size_t {
      return params.axis < 0 ? 0 : (i / channelStride) % shape[params.axis];
    };
    // Stored bits read back by the documented convention: unsigned when the
    // clamp is non-negative, signed otherwise.
    bool readUnsigned = params.clamp.qmin >= 0;
    int runs = int((minValues + numElements - 1) / numElements);
    std::vector<int32_t> acc(numElements);
    std::vector<uint8_t> out(numElements * outWidth / 8);
    int64_t compared = 0, mismatches = 0;
    for (int run = 0; run < runs; ++run) {
      for (int64_t i = 0; i < numElements; ++i) {
        acc[i] = randomAccumulator(params.multipliers[channelOf(i)]);
        // Within a producer's bound: its ends, else folded into it (ties
        // and small sums stay as they are).
        if (int64_t bound = params.accumulatorBound.value_or(-1);
            bound >= 0 && (acc[i] > bound || acc[i] < -bound))
          acc[i] = rng() % 4 == 0   ? int32_t(bound)
                   : rng() % 3 == 0 ? int32_t(-bound)
                                    : int32_t(acc[i] % (bound + 1));
      }
      std::memset(out.data(), 0xA5, out.size());
      llvm::Error error = (*runner)->run({acc.data(), out.data()});
      ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
      for (int64_t i = 0; i < numElements; ++i) {
        size_t c = channelOf(i);
        int64_t expected =
            requantize(acc[i], reference->multipliers[c],
                       reference->outputZeroPoint, reference->clamp) -
            offset;
        int64_t actual;
        if (outWidth == 8)
          actual = readUnsigned ? int64_t(out[i]) : int64_t(int8_t(out[i]));
        else if (outWidth == 32)
          actual = readUnsigned
                       ? int64_t(reinterpret_cast<uint32_t *>(out.data())[i])
                       : int64_t(reinterpret_cast<int32_t *>(out.data())[i]);
        else
          actual = reinterpret_cast<int64_t *>(out.data())[i];
        ++compared;
        if (actual != expected && ++mismatches <= 10)
          ADD_FAILURE() << "acc " << acc[i] << " channel " << c << " (m0 "
                        << params.multipliers[c].multiplier << ", shift "
                        << params.multipliers[c].shift << "): got " << actual
                        << ", expected " << expected;
      }
    }
    EXPECT_EQ(mismatches, 0) << "of " << compared;
    totalCompared += compared;
    RecordProperty("compared", std::to_string(compared));
    std::cout << "compared " << compared << " values" << std::endl;
  }

  MLIRContext context;
  std::mt19937_64 rng{20240607};
};

// A producer's accumulator bound below 2^30: the short second rounding,
// on accumulators up to the bound (and its ends), u8 and i8, per channel
// and per tensor; and a bound too large for it (the long form).
TEST_F(Requantize, BoundedAccumulators) {
  // (Up to 2^29 - 2 the ReLU grids take the quadrupled form.)
  for (int64_t bound :
       {int64_t(1) << 20, (int64_t(1) << 29) - 2, (int64_t(1) << 29) - 1,
        (int64_t(1) << 30) - 3, int64_t(1) << 30}) {
    for (bool perChannel : {true, false}) {
      RequantizeParams p;
      // Right shifts on every channel: multipliers in [1e-6, 0.4].
      p.multipliers = randomMultipliers(perChannel ? 16 : 1, 1e-6, 0.4);
      p.axis = perChannel ? 3 : -1;
      p.accumulatorBound = bound;
      p.outputZeroPoint = 3;
      p.clamp = {0, 200};
      check({2, 3, 5, 16}, p, 8, 40000);
      p.outputZeroPoint = -7;
      p.clamp = {-128, 127};
      check({2, 3, 5, 16}, p, 8, 40000);
      // Clamps from z or above (ReLU grids): no sign term.
      p.outputZeroPoint = -128;
      check({2, 3, 5, 16}, p, 8, 40000);
      p.outputZeroPoint = 5;
      p.clamp = {9, 120};
      check({2, 3, 5, 16}, p, 8, 40000);
    }
  }
}

TEST_F(Requantize, PerChannelU8) {
  for (int trial = 0; trial < 3; ++trial) {
    RequantizeParams p;
    p.multipliers = randomMultipliers(37);
    p.axis = 1;
    p.outputZeroPoint = int64_t(rng() % 256);
    p.clamp = {0, 255};
    check({4, 37}, p, 8);
  }
}

TEST_F(Requantize, PerChannelI8) {
  for (int trial = 0; trial < 3; ++trial) {
    RequantizeParams p;
    p.multipliers = randomMultipliers(37);
    p.axis = 1;
    p.outputZeroPoint = int64_t(rng() % 256) - 128;
    p.clamp = {-128, 127};
    check({4, 37}, p, 8);
  }
}

// The usual convolution: every channel shifts right (multipliers below 1),
// so the body has no saturation of the first rounding; and the opposite,
// every channel shifting left, so it has no second rounding.
TEST_F(Requantize, PerChannelOnlyRightOrOnlyLeftShifts) {
  for (auto [lo, hi] : {std::pair(1e-6, 0.99), std::pair(1.01, 7.9)}) {
    RequantizeParams p;
    p.multipliers = randomMultipliers(37, lo, hi);
    for (const QuantizedMultiplier &qm : p.multipliers)
      EXPECT_TRUE(lo < 1 ? qm.shift <= 0 : qm.shift >= 1);
    p.axis = 1;
    p.outputZeroPoint = -7;
    p.clamp = {-128, 127};
    check({4, 37}, p, 8);
    p.outputZeroPoint = 0;
    p.clamp = {kI32Min, kI32Max};
    check({4, 37}, p, 32);
  }
}

// Channels along dimension 0; a fused ReLU6 on a uint8 grid: [z, z + 6/s].
TEST_F(Requantize, PerChannelAxis0Relu6) {
  RequantizeParams p;
  p.multipliers = randomMultipliers(4);
  p.axis = 0;
  p.outputZeroPoint = 37;
  p.clamp = {37, 37 + 97};
  check({4, 37}, p, 8);
}

// NHWC, channels last, rank 4.
TEST_F(Requantize, PerChannelNHWC) {
  RequantizeParams p;
  p.multipliers = randomMultipliers(37);
  p.axis = 3;
  p.outputZeroPoint = -5;
  p.clamp = {-128, 127};
  check({2, 3, 5, 37}, p, 8);
}

TEST_F(Requantize, PerTensor) {
  for (int trial = 0; trial < 4; ++trial) {
    RequantizeParams p;
    p.multipliers = randomMultipliers(1);
    p.axis = -1;
    bool isUnsigned = trial % 2 == 0;
    p.outputZeroPoint =
        isUnsigned ? int64_t(rng() % 256) : int64_t(rng() % 256) - 128;
    p.clamp = isUnsigned ? QuantRange{0, 255} : QuantRange{-128, 127};
    check({4, 37}, p, 8);
  }
}

// The raw multiply on the whole int32 range (i32 output, no effective
// clamp), with the edge multipliers: 0, the smallest (shift -31), 1, and the
// largest (shift 30, where the int64 product saturates).
TEST_F(Requantize, RawMultiplyEdgeMultipliers) {
  SmallVector<double> reals = {0.0,
                               std::ldexp(1.0, -32),
                               std::ldexp(1.0, -31),
                               0.5,
                               1.0,
                               1.5,
                               2.0,
                               std::ldexp(1.0, 29) * 1.9,
                               1e-6,
                               3.999};
  RequantizeParams p;
  for (double m : reals) {
    auto qm = quantizeMultiplier(m);
    ASSERT_TRUE(qm.has_value()) << m;
    p.multipliers.push_back(*qm);
  }
  EXPECT_EQ(p.multipliers[1].shift, -31);
  EXPECT_EQ(p.multipliers[7].shift, 30);
  SmallVector<QuantizedMultiplier> random = randomMultipliers(27);
  p.multipliers.append(random.begin(), random.end());
  p.axis = 1;
  p.clamp = {kI32Min, kI32Max};
  p.outputZeroPoint = 0;
  check({4, 37}, p, 32);
  // With a zero point the int32 saturation of the high multiply shows
  // (INT32_MAX - 1000, not INT32_MAX).
  p.outputZeroPoint = -1000;
  check({4, 37}, p, 32);
  p.outputZeroPoint = 1000;
  check({4, 37}, p, 32);

  // Per tensor, each edge multiplier on its own (constants fold).
  for (size_t i = 0; i < reals.size(); ++i) {
    RequantizeParams one;
    one.multipliers = {p.multipliers[i]};
    one.clamp = {kI32Min, kI32Max};
    check({4, 37}, one, 32, 2000);
  }
}

// A uint8 grid stored offset by -128 for the sign-extending linalg *_q ops:
// equal to the uint8 result minus 128.
TEST_F(Requantize, OffsetToSigned) {
  RequantizeParams u8;
  u8.multipliers = randomMultipliers(37);
  u8.axis = 1;
  u8.outputZeroPoint = 128 + 17;
  u8.clamp = {128 + 17, 255}; // ReLU on uint8
  RequantizeParams s8 = offsetToSigned(u8, 8);
  EXPECT_EQ(s8.outputZeroPoint, 17);
  EXPECT_EQ(s8.clamp.qmin, 17);
  EXPECT_EQ(s8.clamp.qmax, 127);
  check({4, 37}, s8, 8, 10000, &u8, /*offset=*/128);
}

// The requantize as the epilogue of an int8 convolution kernel
// (--qnt-lower-gemm runs it on the accumulators in registers, the high
// multiply in even and odd i64 lanes): a 1x1 convolution, 49 output pixels
// (not a multiple of the row tile), 37 channels (padded to the column
// tile), accumulators started near both ends of the int32 range; every
// element against the scalar reference.
TEST_F(Requantize, FusedIntoConvolutionKernel) {
  constexpr int64_t kPixels = 49, kIn = 64, kOut = 37, kZx = -5;
  // The last: right shifts on every channel and the convolution's bound on
  // |acc| (64 products of at most 133 * 127): the short second rounding
  // and the doubling high multiply.
  // The last twice more: a clamp from z (a ReLU grid, the quadrupled
  // multiply's high halves in the kernel) and z = -128.
  for (auto [lo, hi, bounded, relu] :
       {std::tuple(1e-6, 0.99, false, false),
        std::tuple(1e-6, 4.0, false, false), std::tuple(1e-6, 0.4, true, false),
        std::tuple(1e-6, 0.4, true, true)}) {
    for (int32_t start : {0, kI32Max - (1 << 25), kI32Min + (1 << 25)}) {
      if (bounded && start != 0)
        continue;
      RequantizeParams p;
      p.multipliers = randomMultipliers(kOut, lo, hi);
      if (bounded)
        p.accumulatorBound = kIn * 133 * 127;
      p.axis = 3;
      p.outputZeroPoint = int64_t(rng() % 256) - 128;
      p.clamp = {relu ? p.outputZeroPoint : -128, 127};
      std::vector<int8_t> w(kOut * kIn), x(kPixels * kIn);
      for (int8_t &v : w)
        v = int8_t(int(rng() % 255) - 127);
      for (int8_t &v : x)
        v = int8_t(rng() % 256);

      OpBuilder b(&context);
      Location loc = b.getUnknownLoc();
      OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
      b.setInsertionPointToEnd(module->getBody());
      Type i8 = b.getI8Type(), i32 = b.getI32Type();
      auto xType = RankedTensorType::get({1, 7, 7, kIn}, i8);
      auto accType = RankedTensorType::get({1, 7, 7, kOut}, i32);
      auto outType = RankedTensorType::get({1, 7, 7, kOut}, i8);
      auto func = func::FuncOp::create(b, loc, "main",
                                       b.getFunctionType({xType}, {outType}));
      Block *body = func.addEntryBlock();
      b.setInsertionPointToEnd(body);
      Value weights = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(RankedTensorType::get({kOut, 1, 1, kIn}, i8),
                                 ArrayRef(w)));
      Value init =
          linalg::FillOp::create(
              b, loc,
              ValueRange{arith::ConstantIntOp::create(b, loc, i32, start)},
              ValueRange{
                  tensor::EmptyOp::create(b, loc, accType.getShape(), i32)})
              .getResult(0);
      Value acc = linalg::Conv2DNhwcFhwcQOp::create(
                      b, loc, TypeRange{accType},
                      ValueRange{body->getArgument(0), weights,
                                 arith::ConstantIntOp::create(b, loc, i32, kZx),
                                 arith::ConstantIntOp::create(b, loc, i32, 0)},
                      ValueRange{init})
                      .getResult(0);
      Value out = buildRequantize(b, loc, acc, p, i8);
      func::ReturnOp::create(b, loc, out);
      ASSERT_TRUE(succeeded(mlir::verify(*module)));

      // The kernel takes the requantize: no generic reads i32 afterwards.
      OwningOpRef<ModuleOp> kernels = module->clone();
      PassManager pm(&context);
      ASSERT_TRUE(
          succeeded(parsePassPipeline("func.func(qnt-lower-gemm)", pm)));
      ASSERT_TRUE(succeeded(pm.run(*kernels)));
      int unfused = 0;
      kernels->walk([&](linalg::GenericOp generic) {
        for (Value in : generic.getDpsInputs())
          if (getElementTypeOrSelf(in.getType()).isInteger(32))
            ++unfused;
      });
      EXPECT_EQ(unfused, 0);

      auto signature = getEntrySignature(*module, "main");
      ASSERT_TRUE(bool(signature)) << llvm::toString(signature.takeError());
      ASSERT_TRUE(succeeded(lowerToLLVMIfNeeded(*module)));
      auto runner = JitRunner::create(*module, "main", *signature);
      ASSERT_TRUE(bool(runner)) << llvm::toString(runner.takeError());
      std::vector<int8_t> got(kPixels * kOut);
      llvm::Error error = (*runner)->run({x.data(), got.data()});
      ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
      int64_t mismatches = 0;
      for (int64_t m = 0; m < kPixels; ++m)
        for (int64_t n = 0; n < kOut; ++n) {
          int64_t sum = start;
          for (int64_t k = 0; k < kIn; ++k)
            sum += (int64_t(x[m * kIn + k]) - kZx) * w[n * kIn + k];
          int64_t expected = requantize(int32_t(sum), p.multipliers[n],
                                        p.outputZeroPoint, p.clamp);
          if (got[m * kOut + n] != expected && ++mismatches <= 10)
            ADD_FAILURE() << "pixel " << m << " channel " << n << " acc " << sum
                          << ": got " << int(got[m * kOut + n]) << ", expected "
                          << expected;
        }
      EXPECT_EQ(mismatches, 0);
      totalCompared += kPixels * kOut;
    }
  }
}

TEST_F(Requantize, DynamicShapeBuilds) {
  OpBuilder b(&context);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto accType =
      RankedTensorType::get({ShapedType::kDynamic, 3, 8}, b.getI32Type());
  auto outType =
      RankedTensorType::get({ShapedType::kDynamic, 3, 8}, b.getI8Type());
  auto func = func::FuncOp::create(b, loc, "f",
                                   b.getFunctionType({accType}, {outType}));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToEnd(body);
  RequantizeParams p;
  p.multipliers = randomMultipliers(3);
  p.axis = 1;
  p.clamp = {-128, 127};
  Value out = buildRequantize(b, loc, body->getArgument(0), p, b.getI8Type());
  func::ReturnOp::create(b, loc, out);
  EXPECT_TRUE(succeeded(mlir::verify(*module)));
  EXPECT_EQ(findFloatTypes(*module), "");
}

TEST_F(Requantize, RejectsInvalidParams) {
  Type i32 = IntegerType::get(&context, 32);
  Type i8 = IntegerType::get(&context, 8);
  Type acc = RankedTensorType::get({4, 37}, i32);
  QuantizedMultiplier half{int32_t(1) << 30, 0};
  auto why = [&](const RequantizeParams &p, Type accType, Type out) {
    std::string message;
    EXPECT_FALSE(isValidRequantize(accType, p, out, &message));
    return message;
  };
  RequantizeParams p;
  p.multipliers = {half, half};
  EXPECT_EQ(why(p, acc, i8),
            "per-tensor requantization takes one multiplier, not 2");
  p.axis = 1;
  EXPECT_EQ(why(p, acc, i8), "2 multipliers for dimension 1 of size 37");
  p.axis = 2;
  EXPECT_EQ(why(p, acc, i8), "axis 2 out of range for rank 2");
  p = {};
  p.multipliers = {{12345, 0}};
  EXPECT_EQ(why(p, acc, i8), "multiplier 12345 is neither 0 nor in [2^30, "
                             "2^31)");
  p.multipliers = {{int32_t(1) << 30, 31}};
  EXPECT_EQ(why(p, acc, i8), "shift 31 not in [-31, 30]");
  p.multipliers = {half};
  p.clamp = {-1, 255};
  EXPECT_EQ(why(p, acc, i8),
            "clamp [-1, 255] does not fit i8 as signed or as unsigned values");
  p.clamp = {0, 255};
  EXPECT_EQ(why(p, RankedTensorType::get({4}, i8), i8),
            "the accumulator must be a ranked tensor of i32");
  EXPECT_EQ(why(p, acc, IntegerType::get(&context, 8, IntegerType::Unsigned)),
            "the output element type must be a signless integer of 2 to 64 "
            "bits");
  p.accumulatorBound = -1;
  EXPECT_EQ(why(p, acc, i8), "negative accumulator bound -1");
  p.accumulatorBound = 0;
  EXPECT_TRUE(isValidRequantize(acc, p, i8));
}

} // namespace
