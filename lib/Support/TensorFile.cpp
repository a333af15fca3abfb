//===- TensorFile.cpp - Tensors on disk: .npy and ONNX .pb ----------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/Support/TensorFile.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/onnx_pb.h"

#include <cstring>
#include <numeric>

using namespace mlir;
using namespace mlir::qnt;
using llvm::Expected;
using llvm::StringRef;

size_t mlir::qnt::getDTypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::U8:
  case DType::I8:
    return 1;
  }
  llvm_unreachable("unknown dtype");
}

StringRef mlir::qnt::getDTypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "float32";
  case DType::F64:
    return "float64";
  case DType::U8:
    return "uint8";
  case DType::I8:
    return "int8";
  case DType::I32:
    return "int32";
  case DType::I64:
    return "int64";
  }
  llvm_unreachable("unknown dtype");
}

/// NumPy's descr string of a dtype.
static StringRef getDescr(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::U8:
    return "|u1";
  case DType::I8:
    return "|i1";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  }
  llvm_unreachable("unknown dtype");
}

Expected<DType> mlir::qnt::getDTypeOf(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (auto intType = dyn_cast<IntegerType>(type)) {
    unsigned width = intType.getWidth();
    if (width == 8)
      return intType.isUnsigned() ? DType::U8 : DType::I8;
    if (width == 32 && !intType.isUnsigned())
      return DType::I32;
    if (width == 64 && !intType.isUnsigned())
      return DType::I64;
  }
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  return llvm::createStringError("unsupported element type " + name);
}

int64_t HostTensor::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || llvm::MulOverflow(n, d, n))
      return -1;
  return n;
}

/// The byte size of `tensor`, or an error when it does not fit in memory.
static llvm::Expected<size_t> getByteSize(StringRef path,
                                          const HostTensor &tensor) {
  int64_t n = tensor.getNumElements(), bytes;
  if (n < 0 ||
      llvm::MulOverflow(n, int64_t(getDTypeSize(tensor.dtype)), bytes) ||
      bytes > (int64_t(1) << 40))
    return llvm::createStringError(path + ": shape " + tensor.getShapeString() +
                                   " is too large");
  return static_cast<size_t>(bytes);
}

std::string HostTensor::getShapeString() const {
  if (shape.empty())
    return "scalar";
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::interleave(shape, os, "x");
  return out;
}

static llvm::Error fileError(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(path + ": " + message);
}

static Expected<std::unique_ptr<llvm::MemoryBuffer>> readFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  if (std::error_code ec = buffer.getError())
    return fileError(path, "cannot read: " + ec.message());
  return std::move(*buffer);
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

/// Returns the value text of `'key': value` in a NumPy header dict.
static std::optional<StringRef> getHeaderValue(StringRef header,
                                               StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t pos = header.find(quoted);
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}

Expected<HostTensor> mlir::qnt::readNpy(StringRef path) {
  auto buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  StringRef bytes = (*buffer)->getBuffer();
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return fileError(path, "not a .npy file (bad magic)");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(bytes[8]) |
                (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fileError(path, "truncated .npy header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                   << (8 * i);
    headerStart = 12;
  } else {
    return fileError(path,
                     "unsupported .npy format version " + llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLen)
    return fileError(path, "truncated .npy header");
  StringRef header = bytes.substr(headerStart, headerLen);

  HostTensor tensor;
  std::optional<StringRef> descr = getHeaderValue(header, "descr");
  if (!descr || descr->size() < 2)
    return fileError(path, "malformed .npy header: no 'descr'");
  char quote = descr->front();
  StringRef descrText =
      descr->drop_front().take_until([&](char c) { return c == quote; });
  static const std::pair<StringRef, DType> kDescrs[] = {
      {"<f4", DType::F32}, {"<f8", DType::F64}, {"|u1", DType::U8},
      {"<u1", DType::U8},  {"|i1", DType::I8},  {"<i1", DType::I8},
      {"<i4", DType::I32}, {"<i8", DType::I64}};
  bool known = false;
  for (auto [name, dtype] : kDescrs)
    if (descrText == name) {
      tensor.dtype = dtype;
      known = true;
    }
  if (!known)
    return fileError(path, "unsupported dtype '" + descrText +
                               "'; supported: float32, float64, uint8, "
                               "int8, int32, int64 (little endian)");

  std::optional<StringRef> fortran = getHeaderValue(header, "fortran_order");
  if (!fortran)
    return fileError(path, "malformed .npy header: no 'fortran_order'");
  if (fortran->starts_with("True"))
    return fileError(path, "Fortran-ordered arrays are not supported; save "
                           "with np.ascontiguousarray");

  std::optional<StringRef> shapeText = getHeaderValue(header, "shape");
  if (!shapeText || !shapeText->starts_with("("))
    return fileError(path, "malformed .npy header: no 'shape'");
  StringRef dims =
      shapeText->drop_front().take_until([](char c) { return c == ')'; });
  SmallVector<StringRef> parts;
  dims.split(parts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0)
      return fileError(path, "malformed .npy shape '" + dims + "'");
    tensor.shape.push_back(dim);
  }

  auto size = getByteSize(path, tensor);
  if (!size)
    return size.takeError();
  size_t expected = *size;
  size_t available = bytes.size() - headerStart - headerLen;
  if (available != expected)
    return fileError(
        path, "holds " + llvm::Twine(available) + " data bytes but a " +
                  getDTypeName(tensor.dtype) + " array of shape " +
                  tensor.getShapeString() + " needs " + llvm::Twine(expected));
  const char *data = bytes.data() + headerStart + headerLen;
  tensor.data.assign(data, data + expected);
  return tensor;
}

llvm::Error mlir::qnt::writeNpy(StringRef path, const HostTensor &tensor) {
  std::string shape;
  for (int64_t dim : tensor.shape)
    shape += std::to_string(dim) + ", ";
  if (tensor.shape.size() > 1)
    shape.resize(shape.size() - 1); // (2, 3) but (2,)
  else if (tensor.shape.size() == 1)
    shape.pop_back();
  std::string header = "{'descr': '" + getDescr(tensor.dtype).str() +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Pad with spaces so that magic + length + header + '\n' is a multiple of
  // 64 bytes, as NumPy does.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fileError(path, "cannot write: " + ec.message());
  os << "\x93NUMPY" << '\x01' << '\x00';
  os << static_cast<char>(header.size() & 0xff)
     << static_cast<char>(header.size() >> 8);
  os << header;
  os.write(reinterpret_cast<const char *>(tensor.data.data()),
           tensor.data.size());
  os.close();
  if (os.has_error())
    return fileError(path, "write failed: " + os.error().message());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

/// Copies the typed repeated field `values` into `tensor.data` as `T`.
template <typename T, typename Repeated>
static void copyValues(HostTensor &tensor, const Repeated &values) {
  tensor.data.resize(values.size() * sizeof(T));
  T *out = reinterpret_cast<T *>(tensor.data.data());
  for (int i = 0; i < values.size(); ++i)
    out[i] = static_cast<T>(values.Get(i));
}

Expected<HostTensor> mlir::qnt::readTensorProto(StringRef path) {
  auto buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  onnx::TensorProto proto;
  StringRef bytes = (*buffer)->getBuffer();
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return fileError(path, "not a valid ONNX TensorProto (corrupt or "
                           "truncated)");

  HostTensor tensor;
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    tensor.dtype = DType::F32;
    break;
  case onnx::TensorProto::DOUBLE:
    tensor.dtype = DType::F64;
    break;
  case onnx::TensorProto::UINT8:
    tensor.dtype = DType::U8;
    break;
  case onnx::TensorProto::INT8:
    tensor.dtype = DType::I8;
    break;
  case onnx::TensorProto::INT32:
    tensor.dtype = DType::I32;
    break;
  case onnx::TensorProto::INT64:
    tensor.dtype = DType::I64;
    break;
  default:
    return fileError(path, "unsupported TensorProto data type " +
                               llvm::Twine(proto.data_type()) +
                               "; supported: float, double, uint8, int8, "
                               "int32, int64");
  }
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      return fileError(path, "negative dimension " + llvm::Twine(dim));
    tensor.shape.push_back(dim);
  }
  if (proto.has_data_location() &&
      proto.data_location() == onnx::TensorProto::EXTERNAL)
    return fileError(path, "external tensor data is not supported");

  auto size = getByteSize(path, tensor);
  if (!size)
    return size.takeError();
  size_t expected = *size;
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    tensor.data.assign(raw.begin(), raw.end());
  } else {
    switch (tensor.dtype) {
    case DType::F32:
      copyValues<float>(tensor, proto.float_data());
      break;
    case DType::F64:
      copyValues<double>(tensor, proto.double_data());
      break;
    case DType::U8:
      copyValues<uint8_t>(tensor, proto.int32_data());
      break;
    case DType::I8:
      copyValues<int8_t>(tensor, proto.int32_data());
      break;
    case DType::I32:
      copyValues<int32_t>(tensor, proto.int32_data());
      break;
    case DType::I64:
      copyValues<int64_t>(tensor, proto.int64_data());
      break;
    }
  }
  if (tensor.data.size() != expected)
    return fileError(path, "holds " + llvm::Twine(tensor.data.size()) +
                               " data bytes but shape " +
                               tensor.getShapeString() + " needs " +
                               llvm::Twine(expected));
  return tensor;
}

Expected<HostTensor> mlir::qnt::readTensorFile(StringRef path) {
  if (path.ends_with(".pb"))
    return readTensorProto(path);
  return readNpy(path);
}
