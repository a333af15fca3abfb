//===- FlipInt8Activations.cpp - Store kernel inputs as their u8 bits -----===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The int8 kernels multiply u8 x s8 (vpdpbusd, tdpbusd): they read an s8
// activation a as u = a xor 0x80 (a + 128 as u8) and copy every input once
// to flip it (a 1x1 convolution's rows, a depthwise convolution's quads).
// When the activation is computed by an elementwise linalg.generic G (a
// requantize, which the producing kernel runs in its epilogue), G can store
// u instead at no cost:
//
//   %a = G(...)                    %u = G'(...)       (G, yielding v xor 0x80)
//   use(%a)              ==>       %a' = F(%u)        (yielding u xor 0x80)
//                                  use(%a')           (one F per user)
//
// The IR means the same; the kernel passes read through F (its input is
// the u8 bits they need, no flip, often no copy), and the Fs other users
// keep (a residual add's) fuse into them as one xor per element.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTFLIPINT8ACTIVATIONSPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// Whether `user` flips its int8 operand for a u8 x s8 kernel, directly or
/// through the tensor.pad in front of it.
static bool flipsInput(Operation *user) {
  if (auto pad = dyn_cast<tensor::PadOp>(user))
    return llvm::any_of(pad->getUsers(), [](Operation *u) {
      return isa<linalg::DepthwiseConv2DNhwcHwcmQOp, linalg::Conv2DNhwcFhwcQOp>(
          u);
    });
  return isa<linalg::Conv2DNhwcFhwcQOp, linalg::DepthwiseConv2DNhwcHwcmQOp,
             linalg::QuantizedBatchMatmulOp>(user);
}

/// G: an elementwise generic with one i8 tensor result (identity maps on
/// the output, parallel loops) that a kernel input reads.
static bool isCandidate(linalg::GenericOp op) {
  if (op.getNumResults() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 || !op.hasPureTensorSemantics())
    return false;
  auto type = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!type || !type.getElementType().isInteger(8) ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  // Already G' (or an F itself): nothing to do.
  if (isSignFlip(op))
    return false;
  return llvm::any_of(op.getResult(0).getUsers(), flipsInput);
}

/// An elementwise generic yielding `in xor 0x80` of `input`.
static Value buildFlip(OpBuilder &b, Location loc, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{input}, ValueRange{init},
             ArrayRef<AffineMap>{id, id}, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value bit =
                   arith::ConstantOp::create(nb, l, nb.getI8IntegerAttr(-128));
               linalg::YieldOp::create(
                   nb, l,
                   arith::XOrIOp::create(nb, l, args[0], bit).getResult());
             })
      .getResult(0);
}

struct QntFlipInt8ActivationsPass
    : public qnt::impl::QntFlipInt8ActivationsPassBase<
          QntFlipInt8ActivationsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isCandidate(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      Location loc = op.getLoc();
      // G': the same body, its value flipped.
      auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
      rewriter.setInsertionPoint(yield);
      Value bit = arith::ConstantOp::create(rewriter, loc,
                                            rewriter.getI8IntegerAttr(-128));
      yield->setOperand(
          0, arith::XOrIOp::create(rewriter, loc, yield->getOperand(0), bit));
      // One F per use, so that each user (a kernel reading through it, an
      // epilogue fusing it) has its own.
      Value u = op.getResult(0);
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : u.getUses())
        uses.push_back(&use);
      for (OpOperand *use : uses) {
        rewriter.setInsertionPointAfter(op);
        Value a = buildFlip(rewriter, loc, u);
        rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(a); });
      }
    }
  }
};

} // namespace
