//===- ProfileKernels.cpp - Time each kernel of the lowered program -------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// After bufferization and convert-linalg-to-loops every layer is one or a few
// loop nests at the top level of the function body. Each such nest (and each
// memref.copy) is bracketed by calls of qnt_profile_enter/exit(id); the
// names of the ids, taken from the ops' locations, go into a module
// attribute for the runtime (quant-run --profile) to print.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Path.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTPROFILEKERNELSPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

/// The ONNX node names (or file:line:col) a location holds, joined by " + ".
static void describe(Location loc, SmallVectorImpl<std::string> &parts) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    parts.push_back(name.getName().str());
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      describe(inner, parts);
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    parts.push_back((llvm::sys::path::filename(file.getFilename().strref()) +
                     ":" + Twine(file.getLine()) + ":" +
                     Twine(file.getColumn()))
                        .str());
  } else if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    describe(callSite.getCallee(), parts);
  }
}

static std::string describe(Operation *op) {
  SmallVector<std::string> parts;
  describe(op->getLoc(), parts);
  // Fusion repeats names (a conv and its clip fused twice): keep the first.
  SmallVector<std::string> unique;
  for (std::string &part : parts)
    if (!llvm::is_contained(unique, part))
      unique.push_back(std::move(part));
  if (unique.empty())
    return (op->getName().getStringRef() + " (no location)").str();
  return llvm::join(unique, " + ");
}

/// Loop nests, and the copies bufferization leaves between them.
static bool isKernel(Operation &op) {
  return op.getNumRegions() > 0 || isa<memref::CopyOp>(op);
}

namespace {
struct QntProfileKernelsPass
    : public qnt::impl::QntProfileKernelsPassBase<QntProfileKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    OpBuilder builder(context);
    Type i64 = builder.getI64Type();
    auto probeType = builder.getFunctionType({i64}, {});

    SmallVector<Attribute> names;
    if (auto existing =
            module->getAttrOfType<ArrayAttr>(kProfileKernelsAttrName))
      names.append(existing.begin(), existing.end());
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      for (Block &block : func.getBody()) {
        for (Operation &op : llvm::make_early_inc_range(block)) {
          if (!isKernel(op))
            continue;
          Location loc = op.getLoc();
          builder.setInsertionPoint(&op);
          Value id = arith::ConstantIntOp::create(builder, loc, i64,
                                                  int64_t(names.size()));
          func::CallOp::create(builder, loc, kProfileEnterName, TypeRange(),
                               id);
          builder.setInsertionPointAfter(&op);
          func::CallOp::create(builder, loc, kProfileExitName, TypeRange(), id);
          names.push_back(builder.getStringAttr(describe(&op)));
        }
      }
    }
    module->setAttr(kProfileKernelsAttrName, builder.getArrayAttr(names));

    builder.setInsertionPointToStart(module.getBody());
    for (StringRef name : {kProfileEnterName, kProfileExitName}) {
      if (module.lookupSymbol(name))
        continue;
      auto decl =
          func::FuncOp::create(builder, module.getLoc(), name, probeType);
      decl.setPrivate();
    }
  }
};
} // namespace
