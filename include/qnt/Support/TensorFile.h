//===- TensorFile.h - Tensors on disk: .npy and ONNX .pb --------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Host tensors read from and written to NumPy .npy files (format versions 1-3,
// C order, little endian) and ONNX TensorProto .pb files. Errors name the
// file and what is wrong with it.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_SUPPORT_TENSORFILE_H
#define QNT_SUPPORT_TENSORFILE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <new>
#include <string>
#include <vector>

namespace mlir {
class Type;
class MLIRContext;

namespace qnt {

/// Element types a tensor file can hold.
enum class DType { F32, F64, U8, I8, I32, I64 };

/// Size in bytes of one element.
size_t getDTypeSize(DType dtype);

/// NumPy's name of the type: "float32", "uint8", ...
llvm::StringRef getDTypeName(DType dtype);

/// The dtype of an MLIR element type, or an error naming it.
llvm::Expected<DType> getDTypeOf(Type type);

/// A dense, C-ordered tensor in host memory.
/// An allocator of 64-byte aligned storage. Lowered code stores whole
/// 64-byte vectors into its outputs; on malloc's 16-byte alignment each
/// would straddle two cache lines.
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(size_t n) {
    return static_cast<T *>(::operator new(n * sizeof(T), kAlignment));
  }
  void deallocate(T *p, size_t) { ::operator delete(p, kAlignment); }
  template <typename U>
  bool operator==(const CacheLineAllocator<U> &) const {
    return true;
  }
  template <typename U>
  bool operator!=(const CacheLineAllocator<U> &) const {
    return false;
  }
};

/// Tensor bytes, 64-byte aligned.
using AlignedBytes = std::vector<uint8_t, CacheLineAllocator<uint8_t>>;

struct HostTensor {
  DType dtype = DType::F32;
  llvm::SmallVector<int64_t> shape;
  AlignedBytes data;

  /// -1 when the shape has a negative dimension or overflows int64.
  int64_t getNumElements() const;
  /// "1x28x28" style.
  std::string getShapeString() const;
};

/// Reads a .npy file.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);

/// Reads an ONNX TensorProto .pb file (raw_data or typed data fields).
llvm::Expected<HostTensor> readTensorProto(llvm::StringRef path);

/// Reads a tensor file, .npy or .pb by its extension.
llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path);

/// Writes a .npy file (format version 1.0).
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

} // namespace qnt
} // namespace mlir

#endif // QNT_SUPPORT_TENSORFILE_H
