//===- Requantize.h - Fixed-point requantization as linalg ------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The requantization of --convert-qnt-to-linalg: one linalg.generic on
// integer tensors, bit-exact with the scalar reference
// mlir::qnt::requantize (qnt/Dialect/Qnt/Utils/Numerics.h), elementwise:
//
//   out = trunc(clamp(MBQM(acc, m[c]) + z, lo, hi))       c = index along axis
//
//   MBQM(x, {m0, shift}) of the reference (Numerics.cpp), no float anywhere:
//     ab    = sext(x) * m0                                      |ab| < 2^62
//     down  = 31 - max(shift, 0)                                in [1, 31]
//     nudge = ab >= 0 ? 2^(down-1) : 1 - 2^(down-1)
//     high  = clamp((ab + nudge) /trunc 2^down, INT32_MIN, INT32_MAX)
//     e     = max(-shift, 0)                                    in [0, 31]
//     mask  = 2^e - 1,  rem = high & mask
//     thr   = (mask >> 1) + (high < 0)
//     MBQM  = (high >>arith e) + (rem > thr)
//
//   The generic computes the same bits with fewer and narrower operations:
//   - (ab + nudge) /trunc 2^d == (ab + 2^(d-1)) >>arith 2^d for every ab:
//     for ab >= 0 both are floor((ab + h) / D) (D = 2^d, h = D/2); for
//     ab < 0, t = ab + 1 - h < 0 and trunc(t / D) = ceil(t / D) =
//     floor((t + D - 1) / D) = floor((ab + h) / D). One i64 multiply, add
//     and shift, no select.
//   - without a left shift (down = 31) |high| < 2^31: no clamp.
//   - high fits i32, so the second rounding runs in i32 lanes.
//   - the comparisons as sign bits, no select or mask register:
//     (high < 0) = high >>logical 31, and with thr in [0, 2^30] and rem in
//     [0, 2^31), (rem > thr) = (thr - rem) >>logical 31 (thr - rem cannot
//     wrap).
//   - with a bound |x| <= B < 2^30 - 2 that the producer guarantees (no
//     left shift, e >= 1 on every channel), the second rounding is
//       MBQM = (high + 2^(e-1) + (x >>arith 31)) >>arith e
//     With n = (high < 0), high = q * 2^e + rem: the reference is
//     q + (rem >= 2^(e-1) + n) and this is q + floor((rem + 2^(e-1) - n) /
//     2^e), the same (0 <= rem + 2^(e-1) - n < 2^(e+1)). n = (x < 0): x >= 0
//     gives high >= 0; x <= -1 gives x * m0 + 2^30 <= 0 (m0 >= 2^30), so
//     high < 0 except for x = -1, m0 = 2^30, high = 0, where both n give 0
//     (2^(e-1) - 1 and 2^(e-1) are below 2^e); m0 = 0 gives high = 0 and 0
//     likewise. |high| <= B + 1, so the sum stays below 2^31. When the
//     clamp starts at z or above (lo >= z: an asymmetric grid of a ReLU
//     output, z = -128 on [-128, 127]) the sign term is dropped: it only
//     changes results of x < 0, where high <= 0 and both
//     (high + 2^(e-1) - n) >> e are <= 0, so both outputs are at most z
//     and clamp to lo. There the
//     first rounding is doubled, high = (2x * m0 + 2^31) >>arith 32 (2x
//     fits i32): the same value, and on 16 lanes the high halves of the
//     even and odd products are merged by one shuffle. 2^(e-1) is added to
//     the upper half, (2x * m0 + 2^31 + 2^(e-1) * 2^32) >> 32 = high +
//     2^(e-1), and so is z * 2^e when B + 2 + 2^(e-1) + |z| * 2^e < 2^31
//     on every channel: (v + z * 2^e) >> e = (v >> e) + z, and the clamp
//     is the last step.
//   - quadrupled, when the sign term is dropped, B < 2^29 - 1, e <= 30 and
//     2B + |1 + 2 * R| < 2^31 (R the upper-half terms above): with h4 =
//     (4x * m0) >>arith 32, floor((2x * m0 + 2^31) / 2^32) =
//     floor((4x * m0 + 2^32) / 2^33) = floor((h4 + 1) / 2) (nested floors
//     of powers of two), so (high + R) >> e = (h4 + 1 + 2R) >>arith (e + 1):
//     no i64 add (on 16 lanes the merged high halves, then one i32 add
//     and shift). |h4| <= 2B.
//   - with e >= 1 on every channel and no left shift, |y| <= 2^30 + 1, so
//     y + z is added first in i32 and clamped last (a clamp to the whole
//     output range is then a saturating truncation on x86); otherwise
//     clamp(y + z, lo, hi) == clamp(y, lo - z, hi - z) + z, in i32 when
//     the bounds fit (so y + z cannot wrap).
//   down, 2^(down-1), e, mask and mask >> 1 are computed per channel at
//   build time.
//
// Parameters equal on every channel (all of them per tensor) become scalar
// constants (the arithmetic on them folds at build time, and the second
// rounding disappears when no channel shifts right); per-channel ones
// become `arith.constant` tensor<Cxi32> operands of the generic, read with
// the affine map (d0..dn) -> (d_axis).
//
// Storage and signedness: linalg and arith want signless integers, so the
// result is a tensor of a signless iN (N in [2, 64]) holding the low N bits
// of the clamped value. The value range is `clamp`: [-128, 127] in i8 is
// int8; [0, 255] in i8 is uint8 stored with its bit pattern (200 -> 0xC8),
// which is the memory layout of a uint8 tensor (quant-run I/O, `vpdpbusd`'s
// unsigned operand). The linalg *_q ops (conv_2d_nhwc_fhwc_q,
// depthwise_conv_2d_nhwc_hwcm_q, quantized_matmul) however sign-extend every
// operand and zero point (TypeFn::cast_signed, not configurable), so a uint8
// activation that feeds them must be stored offset by -128 instead:
// q - z == (q - 128) - (z - 128). `offsetToSigned` rewrites the parameters
// for that, which is exact: clamp(y + z, 0, 255) - 128 ==
// clamp(y + z - 128, -128, 127).
//
//===----------------------------------------------------------------------===//

#ifndef QNT_CONVERSION_QNTTOLINALG_REQUANTIZE_H
#define QNT_CONVERSION_QNTTOLINALG_REQUANTIZE_H

#include "qnt/Dialect/Qnt/Utils/Numerics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlir {
namespace qnt {

/// Per-channel (or per-tensor: one entry) requantization parameters.
struct RequantizeParams {
  /// One entry per tensor (`axis` == -1) or one per channel along `axis`.
  /// Each from quantizeMultiplier: m0 in [2^30, 2^31) or 0, shift in
  /// [-31, 30].
  SmallVector<QuantizedMultiplier> multipliers;
  /// Dimension the channels run along; -1 per tensor.
  int64_t axis = -1;
  /// Added after the multiply (the output zero point).
  int64_t outputZeroPoint = 0;
  /// Final clamp: the output grid, or tighter for a fused ReLU/ReLU6.
  QuantRange clamp = {-128, 127};
  /// A bound on |acc| that the accumulator's producer guarantees (a
  /// convolution's: its weights and bias on 8-bit inputs), or none. Below
  /// 2^30 - 2 it allows the shorter second rounding (file comment); the
  /// generic is exact only for accumulators within it.
  std::optional<int64_t> accumulatorBound;
};

/// Checks that `p` can requantize an `accType` accumulator (a ranked tensor
/// of i32) into signless `outElementType`: multiplier count and ranges, axis,
/// channel count (when static), a non-empty clamp whose bounds fit the
/// output width as signed or as unsigned values, a zero point within
/// int32. On failure returns false and, if given, sets `why`.
bool isValidRequantize(Type accType, const RequantizeParams &p,
                       Type outElementType, std::string *why = nullptr);

/// Emits `out = clamp(multiplyByQuantizedMultiplier(acc, m[c]) + z, lo, hi)`
/// elementwise on the i32 tensor `acc` (any rank, static or dynamic shape) as
/// one linalg.generic whose result is a tensor of the signless integer type
/// `outElementType`, holding the low bits of each clamped value (see the file
/// comment for the signedness convention). The arguments must satisfy
/// isValidRequantize (asserted).
Value buildRequantize(OpBuilder &b, Location loc, Value acc,
                      const RequantizeParams &p, Type outElementType);

/// Returns `p` for storing values of an unsigned `bits`-bit grid as signed
/// ones offset by -2^(bits-1) (uint8 [0, 255] with zero point z -> int8
/// [-128, 127] with z - 128): the form the sign-extending linalg *_q ops
/// consume. Zero point and clamp bounds all move by -2^(bits-1); the caller
/// knows the grid is unsigned (a clamp alone cannot tell: [0, 127] may be a
/// ReLU on int8). Requires 0 <= clamp.qmin and clamp.qmax < 2^bits.
RequantizeParams offsetToSigned(const RequantizeParams &p, unsigned bits);

} // namespace qnt
} // namespace mlir

#endif // QNT_CONVERSION_QNTTOLINALG_REQUANTIZE_H
