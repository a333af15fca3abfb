//===- QntAttrs.td - Qnt dialect attributes ----------------*- tablegen -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Attributes of `qnt.observe`: what is observed (role), the quantization scheme
// asked for, and the statistics recorded by calibration.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_IR_QNTATTRS_TD
#define QNT_DIALECT_QNT_IR_QNTATTRS_TD

include "qnt/Dialect/Qnt/IR/QntBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// ObserveRole
//===----------------------------------------------------------------------===//

def Qnt_ObserveRole : I32EnumAttr<"ObserveRole",
    "what a quantization point observes", [
      I32EnumAttrCase<"Activation", 0, "activation">,
      I32EnumAttrCase<"Weight", 1, "weight">
    ]> {
  let cppNamespace = "::mlir::qnt";
}

//===----------------------------------------------------------------------===//
// Parameters with an exact textual form
//===----------------------------------------------------------------------===//

// A double printed in its shortest round-trip form (the default `<<` on a
// double prints six digits, which would make calibrated modules lose
// precision). Stored as an APFloat, which MLIR knows how to hash and compare.
class Qnt_F64Parameter<string desc> : AttrOrTypeParameter<"::llvm::APFloat", desc> {
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
    ::llvm::APFloat value(0.0);
    if ($_parser.parseFloat(::llvm::APFloat::IEEEdouble(), value))
      return ::mlir::failure();
    return value;
  }() }];
  let printer = [{ $_printer.printFloat($_self) }];
}

class Qnt_OptionalF64Parameter<string desc> : Qnt_F64Parameter<desc> {
  let defaultValue = "::llvm::APFloat(0.0)";
}

// A bracketed list of counts: `[0, 3, 7]` (a bare list would be ambiguous
// inside `struct(params)`).
def Qnt_CountsParameter : OptionalArrayRefParameter<"int64_t",
    "histogram bin counts"> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::SmallVector<int64_t>> {
    ::llvm::SmallVector<int64_t> counts;
    if ($_parser.parseCommaSeparatedList(
            ::mlir::AsmParser::Delimiter::Square, [&]() -> ::mlir::ParseResult {
              return $_parser.parseInteger(counts.emplace_back());
            }))
      return ::mlir::failure();
    return counts;
  }() }];
  let printer = [{
    $_printer << '[';
    ::llvm::interleaveComma($_self, $_printer);
    $_printer << ']';
  }];
}

//===----------------------------------------------------------------------===//
// SchemeAttr
//===----------------------------------------------------------------------===//

def Qnt_SchemeAttr : AttrDef<Qnt_Dialect, "Scheme"> {
  let mnemonic = "scheme";
  let summary = "quantization scheme requested at a quantization point";
  let description = [{
    The scheme a quantization point asks for, in the vocabulary of PyTorch
    qconfigs and ONNX Runtime:

    * the integer grid: `u<bits>` (unsigned, `[0, 2^bits - 1]`) or `i<bits>`
      (signed, `[-2^(bits-1), 2^(bits-1) - 1]`), 2 to 16 bits; `u7` is
      PyTorch's `reduce_range` on 8-bit storage;
    * `affine` (zero point chosen from the range) or `symmetric` (zero point
      0 for signed grids, the middle of the grid for unsigned ones);
    * `narrow`: drop the most negative level (`[-127, 127]` for `i8`), so the
      grid is symmetric around 0;
    * `axis = N`: one scale per slice along dimension N (per-channel);
      without it, one scale for the whole tensor.

    ```mlir
    #qnt.scheme<u8, affine>                      // default activations
    #qnt.scheme<i8, symmetric, narrow, axis = 0> // default weights (OHWI)
    ```
  }];
  let parameters = (ins
    "unsigned":$bits,
    "bool":$isSigned,
    "bool":$symmetric,
    "bool":$narrowRange,
    OptionalParameter<"std::optional<int64_t>">:$axis
  );
  let hasCustomAssemblyFormat = 1;
  let extraClassDeclaration = [{
    /// Smallest and largest integer of the grid.
    int64_t getQMin() const;
    int64_t getQMax() const;
    bool isPerAxis() const { return getAxis().has_value(); }
  }];
}

//===----------------------------------------------------------------------===//
// StatsAttr
//===----------------------------------------------------------------------===//

def Qnt_StatsAttr : AttrDef<Qnt_Dialect, "Stats"> {
  let mnemonic = "stats";
  let summary = "statistics recorded at a quantization point by calibration";
  let description = [{
    What calibration saw at one quantization point, over the whole data set,
    so that a calibrated module is self-contained and reproducible:

    * `count`: finite values observed; `nan_count`, `inf_count`: values left
      out of every statistic (omitted when 0);
    * `min`, `max`: the running extremes of the finite values;
    * `ema_min`, `ema_max`: exponential moving averages of the per-batch
      extremes (constant 0.01, as PyTorch's `MovingAverageMinMaxObserver`);
    * `hist`, `hist_min`, `hist_max`: a histogram of the finite values over
      `[hist_min, hist_max]` with equal-width bins; it covers `[min, max]`
      and its counts add up to `count`.

    ```mlir
    #qnt.stats<count = 6, min = -1.0, max = 2.0, ema_min = -1.0,
               ema_max = 2.0, hist = [2, 1, 3], hist_min = -1.0, hist_max = 2.0>
    ```
  }];
  let parameters = (ins
    "int64_t":$count,
    DefaultValuedParameter<"int64_t", "0">:$nan_count,
    DefaultValuedParameter<"int64_t", "0">:$inf_count,
    Qnt_F64Parameter<"smallest finite value">:$min,
    Qnt_F64Parameter<"largest finite value">:$max,
    Qnt_F64Parameter<"moving average of batch minima">:$ema_min,
    Qnt_F64Parameter<"moving average of batch maxima">:$ema_max,
    Qnt_CountsParameter:$hist,
    Qnt_OptionalF64Parameter<"lower edge of the first bin">:$hist_min,
    Qnt_OptionalF64Parameter<"upper edge of the last bin">:$hist_max
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let extraClassDeclaration = [{
    double getMinValue() const { return getMin().convertToDouble(); }
    double getMaxValue() const { return getMax().convertToDouble(); }
    double getEmaMinValue() const { return getEmaMin().convertToDouble(); }
    double getEmaMaxValue() const { return getEmaMax().convertToDouble(); }
    double getHistMinValue() const { return getHistMin().convertToDouble(); }
    double getHistMaxValue() const { return getHistMax().convertToDouble(); }
  }];
}

#endif // QNT_DIALECT_QNT_IR_QNTATTRS_TD
