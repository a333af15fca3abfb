//===- KernelUtils.h - Shared by the microkernel passes ---------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Private to lib/Dialect/Qnt/Transforms: what --qnt-lower-gemm and
// --qnt-lower-depthwise both read off the linalg ops they rewrite.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_LIB_DIALECT_QNT_TRANSFORMS_KERNELUTILS_H
#define QNT_LIB_DIALECT_QNT_TRANSFORMS_KERNELUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"

#include <optional>

namespace mlir {
namespace qnt {

/// An index constant.
inline Value indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// The index v * scale + offset (no op for a scale of 1 or an offset of 0).
inline Value indexAffine(OpBuilder &b, Location loc, Value v, int64_t scale,
                         int64_t offset = 0) {
  Value r = scale == 1 ? v
                       : arith::MulIOp::create(b, loc, v,
                                               indexConstant(b, loc, scale));
  return offset == 0
             ? r
             : arith::AddIOp::create(b, loc, r, indexConstant(b, loc, offset));
}

/// The first `valid` lanes of the 16-lane vector `v` written to `dest` at
/// `indices` (all 16 when `valid` is 16): a narrower in-bounds vector, not
/// a masked store (LLVM 22 stores a one-lane masked store of a truncated
/// vector wrong, see --qnt-scalarize-single-lane-stores; a narrow store is
/// also no slower).
Value writeLanes(OpBuilder &b, Location loc, Value v, Value dest,
                 ValueRange indices, int64_t valid);

/// Writes a kernel's result vectors to `dest` with writeLanes, in order.
/// Those that end a requantize to int8, trunci(clamp(x)) of 16 i32 lanes
/// to i8 with a clamp within [-128, 127], are narrowed four (or two) at a
/// time: qnt.pack_s8 of their i32 lanes, the clamp once on the bytes, then
/// each 16-byte slice written (flipped to u8 bits, xor 0x80, per slice: a
/// xor of the packed 64 bytes sends LLVM 22's x86 DAG combiner into an
/// endless loop). Exact: a clamp to [lo, hi] within the s8
/// range gives the same bytes before or after the saturation. Their
/// truncations and clamps are erased.
class ResultWriter {
public:
  /// With `pack`, requantized vectors are narrowed four (or two) at a time
  /// (qnt.pack_s8); otherwise each is stored by itself.
  ResultWriter(OpBuilder &b, Location loc, Value dest, bool pack = true)
      : b(b), loc(loc), dest(dest), pack(pack) {}
  /// Writes the first `valid` lanes of `v` at `indices` (maybe later, with
  /// the next ones of its group).
  void write(Value v, ValueRange indices, int64_t valid);
  /// Writes what is pending; returns the written tensor.
  Value finish();
  /// A result that ends a requantize to int8: its i32 lanes, the clamp to
  /// [lo, hi] and whether the bytes are then flipped (xor 0x80: the u8 bits
  /// of --qnt-flip-int8-activations).
  struct Narrowing {
    Value wide;
    int64_t lo, hi;
    bool flip;
    bool sameBytes(const Narrowing &o) const {
      return lo == o.lo && hi == o.hi && flip == o.flip;
    }
  };

private:
  struct Pending {
    Value value;
    Narrowing narrowing;
    SmallVector<Value> indices;
    int64_t valid;
  };
  void flush();
  OpBuilder &b;
  Location loc;
  Value dest;
  bool pack;
  SmallVector<Pending, 4> pending;
};

/// A loop from 0 to `count` (step `step`) carrying `init`: `body` gets the
/// induction variable and the carried values and returns the next ones.
SmallVector<Value> buildLoop(
    OpBuilder &b, Location loc, int64_t count, int64_t step, ValueRange init,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body);

/// Loops over the output pixels (n, oh, ow) of `shape`, carrying the output
/// tensor: `body` gets the pixel's indices and the tensor, and returns the
/// tensor updated.
Value buildPixelLoops(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      Value output,
                      function_ref<Value(OpBuilder &, ValueRange, Value)> body);

/// The NHWC input of a window op (convolution, pooling), read through the
/// tensor.pad of a constant on H and W that tosa-to-linalg puts in front of
/// it: the kernels read the unpadded source and substitute the constant out
/// of bounds, instead of materializing the padded tensor (a fill and a copy
/// of the whole activation).
struct WindowInput {
  Value source; // the unpadded tensor, or the input itself
  int64_t top = 0, left = 0;
  int64_t height = 0, width = 0; // of the source
  Value padValue;                // the scalar constant; null without padding

  static WindowInput get(Value input);
  bool isPadded() const { return bool(padValue); }
  /// Per padded-coordinate row `y` (column `x`): the clamped source index
  /// and whether it is inside the source.
  std::pair<Value, Value> row(OpBuilder &b, Location loc, Value y) const;
  std::pair<Value, Value> column(OpBuilder &b, Location loc, Value x) const;
  /// Whether the `rows` x `columns` window of padded coordinates with
  /// corner (y, x) lies inside the source: its taps can be read at constant
  /// offsets, without clamping or the pad value.
  Value contains(OpBuilder &b, Location loc, Value y, Value x, int64_t rows,
                 int64_t columns) const;
  /// `type` lanes from source[n, y, x, c] (clamped indices), or the pad
  /// value where `inside` is false (null: always inside); with `!inBounds`
  /// the lanes past the channels read as 0.
  Value read(OpBuilder &b, Location loc, VectorType type, Value n, Value y,
             Value x, Value c, Value inside, bool inBounds = true) const;
};

/// Whether `op` is an elementwise generic yielding `in xor 0x80` of one i8
/// tensor (the flip back of --qnt-flip-int8-activations).
bool isSignFlip(linalg::GenericOp op);

/// The u8 bits `a xor 0x80` of the int8 tensor `a` when `a` is their flip
/// back (isSignFlip): what a u8 x s8 kernel reads instead of flipping `a`
/// itself; null otherwise.
Value getFlippedSource(Value a);

/// `window` over the u8 bits of its source (getFlippedSource), its pad
/// value flipped too; none when the source is not a flip back.
std::optional<WindowInput> getFlippedWindow(OpBuilder &b, Location loc,
                                            const WindowInput &window);

/// The strides and dilations of a convolution or pooling named op.
template <typename WindowOp>
std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
getWindowAttrs(WindowOp op) {
  return {
      SmallVector<int64_t>(op.getStrides().template getValues<int64_t>()),
      SmallVector<int64_t>(op.getDilations().template getValues<int64_t>())};
}

/// The value of an integer constant scalar.
std::optional<int64_t> getConstantIntValue(Value v);

/// The input zero point of an int8 op whose zero point operands are
/// `input` and `weights`, when both are constant and the weights'
/// is 0 (symmetric weights).
std::optional<int64_t> getSymmetricInputZeroPoint(Value input, Value weights);

/// The input zero point of a convolution or matmul named op for the int8
/// kernels: from the constant zero point operands of the `_q` form
/// (symmetric weights), or 0 for the plain form on i8 operands with an i32
/// result, which tosa-to-linalg emits when both zero points are 0. None for
/// f32 and for forms the kernels do not cover.
template <typename OpTy>
std::optional<int64_t> getInt8InputZeroPoint(OpTy op, bool quantized) {
  if (quantized)
    return getSymmetricInputZeroPoint(op.getInputs()[2], op.getInputs()[3]);
  auto element = [](Value v) { return getElementTypeOrSelf(v.getType()); };
  if (element(op.getInputs()[0]).isInteger(8) &&
      element(op.getInputs()[1]).isInteger(8) &&
      element(op.getOutputs()[0]).isInteger(32))
    return 0;
  return std::nullopt;
}

/// The per-column values of an accumulator init that is a constant fill or
/// the broadcast of a constant 1-D tensor along the last dimension (the
/// forms tosa-to-linalg builds for convolution and matmul biases), as
/// doubles (exact for i32 and f32).
std::optional<SmallVector<double>> getColumnConstant(Value init, int64_t n);

/// Weights as w[n][k] from an int8 or f32 constant of n * k elements; with
/// `transposeKN` the constant is stored [k][n].
std::optional<SmallVector<double>>
getWeightValues(Value v, bool isFloat, int64_t k, int64_t n, bool transposeKN);

/// Applies kernel patterns to `root`: once per op, without folding, constant
/// CSE or region simplification (the patterns' constants stay where they
/// are built). Unlike walkAndApplyPatterns, a pattern may erase ops after
/// the one it matched, as fusing an epilogue does.
void applyKernelPatterns(Operation *root,
                         const FrozenRewritePatternSet &patterns);

/// The elementwise consumers of a kernel's result that can run on its
/// accumulators in registers, 16 lanes (output channels) at a time: a chain
/// of linalg.generic ops, each reading the previous value with the identity
/// map and otherwise 1-D constants along the last dimension (per channel: a
/// bias, the requantize multipliers) or whole tensors of the result's shape
/// with the identity map (a residual connection's other input), with scalar
/// arith bodies and a fresh tensor.empty init. E.g. a depthwise
/// convolution's bias add and then its requantize to i8, or a convolution's
/// requantize and then the residual add.
struct Epilogue {
  enum class Input { Chained, Column, Full };
  struct Stage {
    linalg::GenericOp op;
    /// Per input operand: the value (null for a chained one) and how it
    /// is read; a chained one is the value of stage `from` (-1: the
    /// kernel's accumulators).
    SmallVector<Value> inputs;
    SmallVector<Input> kinds;
    SmallVector<int> from;
    /// Folded into the kernel's accumulator start (takeLeadingColumnAdd):
    /// not applied, but erased with the others.
    bool folded = false;
    /// Computes a whole-tensor input of a later stage (e.g. the residual
    /// branch's rescale feeding an add) instead of being in the chain.
    bool producer = false;
  };
  SmallVector<Stage> stages;
  /// Pure ops after the anchor that compute whole-tensor inputs (a
  /// residual branch's rescale): moved before it, operands first.
  SmallVector<Operation *> producers;

  /// The chain starting at `result`'s single use; none if it is empty.
  /// Whole-tensor inputs computed by elementwise generics for the chain
  /// alone become producer stages (before their consumer, in order);
  /// others must be available before `anchor` (the op the kernel replaces,
  /// where it is built), possibly once their pure producers are moved
  /// there.
  static std::optional<Epilogue> match(Value result, Operation *anchor);
  /// The last stage's result type: what the fused kernel produces.
  RankedTensorType getResultType() const;
  /// Whether a stage reads a whole tensor.
  bool hasFullInputs() const;
  /// Moves the column constants and the producers of whole-tensor inputs
  /// defined after `op` in its block before it, where the kernel replacing
  /// `op` is built.
  void hoistInputsAbove(RewriterBase &rewriter, Operation *op) const;
  /// The constant of a first stage that only adds a column constant to the
  /// accumulators (a depthwise convolution's bias), as doubles, when a later
  /// stage remains: the kernel adds it as its accumulators start instead,
  /// and the stage is no longer applied.
  std::optional<SmallVector<double>> takeLeadingColumnAdd();
  /// Zero-pads the column constants to `n` elements, so that the last
  /// vector of a kernel's padded columns reads within them.
  void padColumns(OpBuilder &b, Location loc, int64_t n);
  /// Replaces every whole-tensor input by `view(input)` (the kernel's view
  /// of it, e.g. collapsed to [M, N]).
  void viewFullInputs(function_ref<Value(Value)> view);
  /// What apply builds from the column constants alone for one vector of
  /// channels (their reads at `col`, rounding tables, splat constants):
  /// the calls for the other accumulators of those channels, in the same
  /// block after the first, pass the same cache and reuse it.
  struct ColumnCache {
    DenseMap<std::pair<unsigned, unsigned>, Value> reads; // (stage, operand)
    DenseMap<Operation *, Value> built;                   // per body op
    /// Per matched rounding multiply: its kind (-1: not matched) and
    /// tables (swapped multiplier, even/odd rounds and shifts).
    DenseMap<Operation *, std::pair<int, SmallVector<Value, 5>>> roundings;
  };
  /// The chain on 16 lanes of the accumulator `acc` for the channels from
  /// `col`: each stage's arith ops rebuilt on vectors; whole-tensor inputs
  /// read at `position` (its last index is the channel), masked past their
  /// end unless `inBounds` (the lanes all inside them). With `cache`, the
  /// column values are built once per cache.
  Value apply(OpBuilder &b, Location loc, Value acc, Value col,
              ValueRange position, bool inBounds = true,
              ColumnCache *cache = nullptr) const;
  /// Whether, for every column n, the chain is a non-decreasing function of
  /// the accumulator, bit for bit the same wherever it is applied: then a
  /// max over pixels of one column commutes with it (max(f(a), f(b)) =
  /// f(max(a, b))). Integer accumulators lie in `accRange[n]` (the bounds
  /// show that no shift, product or sum wraps); float ones take only
  /// NaN-propagating, order-preserving ops (no range needed: nullopt).
  /// Column constants and scalar constants only: no whole-tensor inputs.
  bool isNonDecreasing(
      std::optional<ArrayRef<std::pair<int64_t, int64_t>>> accRange) const;
  /// Replaces the last stage by `fused` and erases the others.
  void replace(RewriterBase &rewriter, Value fused) const;
};

} // namespace qnt
} // namespace mlir

#endif // QNT_LIB_DIALECT_QNT_TRANSFORMS_KERNELUTILS_H
