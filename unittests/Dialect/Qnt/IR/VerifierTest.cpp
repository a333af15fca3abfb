//===- VerifierTest.cpp - Verifier checks not reachable from text ---------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The upstream !quant.uniform parser already rejects zero, negative and
// non-finite scales, so the fake_quant verifier's own scale check can only be
// reached by types built in C++ without verification. These tests build such
// ops and check the diagnostic.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/IR/Qnt.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

using namespace mlir;

namespace {

class FakeQuantVerifier : public ::testing::Test {
protected:
  FakeQuantVerifier() : builder(&context) {
    context.loadDialect<qnt::QntDialect, func::FuncDialect>();
  }

  /// Builds `qnt.fake_quant` of a block argument with `qtype` and returns the
  /// diagnostic of verifying it ("" when it verifies).
  std::string verify(quant::QuantizedType qtype, ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                     builder.getFunctionType({type}, {type}));
    Block *body = func.addEntryBlock();
    builder.setInsertionPointToEnd(body);
    auto op =
        qnt::FakeQuantOp::create(builder, builder.getUnknownLoc(), type,
                                 body->getArgument(0), TypeAttr::get(qtype));
    func::ReturnOp::create(builder, builder.getUnknownLoc(), op.getResult());

    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    (void)mlir::verify(*module);
    return message;
  }

  quant::UniformQuantizedType perTensor(double scale) {
    return quant::UniformQuantizedType::get(
        /*flags=*/0, builder.getIntegerType(8), builder.getF32Type(), scale,
        /*zeroPoint=*/0, /*storageTypeMin=*/-128, /*storageTypeMax=*/127);
  }

  MLIRContext context;
  OpBuilder builder;
};

TEST_F(FakeQuantVerifier, AcceptsValidScale) {
  EXPECT_EQ(verify(perTensor(0.5), {4}), "");
}

TEST_F(FakeQuantVerifier, RejectsZeroScale) {
  EXPECT_EQ(verify(perTensor(0.0), {4}),
            "'qnt.fake_quant' op attribute 'qtype' has scale 0.000000e+00; "
            "scales must be finite and > 0");
}

TEST_F(FakeQuantVerifier, RejectsNaNScale) {
  EXPECT_EQ(verify(perTensor(std::numeric_limits<double>::quiet_NaN()), {4}),
            "'qnt.fake_quant' op attribute 'qtype' has scale nan; scales "
            "must be finite and > 0");
}

TEST_F(FakeQuantVerifier, RejectsNegativeScaleOfOneChannel) {
  auto qtype = quant::UniformQuantizedPerAxisType::get(
      /*flags=*/quant::QuantizationFlags::Signed, builder.getIntegerType(8),
      builder.getF32Type(), /*scales=*/{0.5, -0.25}, /*zeroPoints=*/{0, 0},
      /*quantizedDimension=*/0, /*storageTypeMin=*/-128,
      /*storageTypeMax=*/127);
  EXPECT_EQ(verify(qtype, {2, 3}),
            "'qnt.fake_quant' op attribute 'qtype' has scale -2.500000e-01 "
            "for channel 1; scales must be finite and > 0");
}

} // namespace
