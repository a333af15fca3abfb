// Bad input: a diagnostic naming the culprit and exit status 1, never a crash.

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_unsupported_op.onnx 2>&1 | FileCheck %s --check-prefix=UNKNOWN-OP
// UNKNOWN-OP: bad_unsupported_op.onnx: error: Einsum node 'my_einsum': unsupported operator 'Einsum'; supported operators: Add, AveragePool, BatchNormalization, Clip, Concat, {{.*}}Conv{{.*}}, Unsqueeze

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_truncated.onnx 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: bad_truncated.onnx: error: cannot parse '{{.*}}bad_truncated.onnx' as an ONNX model: the protobuf is truncated or corrupt

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_garbage.onnx 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: error: cannot parse '{{.*}}bad_garbage.onnx' as an ONNX model

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/does-not-exist.onnx 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: does-not-exist.onnx{{.*}}No such file or directory

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_undefined_input.onnx 2>&1 | FileCheck %s --check-prefix=UNDEFINED
// UNDEFINED: error: Add node 'add': input 1 'ghost' is not defined: no graph input, initializer or earlier node output has this name

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_conv_channels.onnx 2>&1 | FileCheck %s --check-prefix=CHANNELS
// CHANNELS: error: Conv node 'conv': weight 'w' [4,2,3,3] has 2 input channels per group, but input 'x' [1,3,4,4] has 3 channels with group = 1

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_reshape.onnx 2>&1 | FileCheck %s --check-prefix=RESHAPE
// RESHAPE: error: Reshape node 'reshape': cannot reshape input 'x' [2,3] (6 elements) to [4,2]

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_string_input.onnx 2>&1 | FileCheck %s --check-prefix=STRING
// STRING: error: graph input 'x' has unsupported data type STRING (supported: FLOAT, and UINT8, INT8, INT32 for quantized operators)

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_complex_initializer.onnx 2>&1 | FileCheck %s --check-prefix=COMPLEX
// COMPLEX: error: initializer 'c' has unsupported data type COMPLEX64

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_pad_mode.onnx 2>&1 | FileCheck %s --check-prefix=PADMODE
// PADMODE: error: Pad node 'pad_reflect': unsupported attribute value mode = 'reflect' (only 'constant')

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_auto_pad.onnx 2>&1 | FileCheck %s --check-prefix=AUTOPAD
// AUTOPAD: error: Conv node 'conv_autopad': unsupported attribute value auto_pad = 'SAME_MIDDLE'

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_integer_relu.onnx 2>&1 | FileCheck %s --check-prefix=INTRELU
// INTRELU: error: Relu node 'relu': input 'x' holds UINT8 integers; only DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger and graph outputs read integer tensors

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_qlinear_weight.onnx 2>&1 | FileCheck %s --check-prefix=QWEIGHT
// QWEIGHT: error: QLinearConv node 'qconv': weight 'w' must be an integer constant (an initializer)

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_qlinear_bias.onnx 2>&1 | FileCheck %s --check-prefix=QBIAS
// QBIAS: error: QLinearConv node 'qconv': bias 'b' must be an INT32 constant

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_zero_point_type.onnx 2>&1 | FileCheck %s --check-prefix=ZPTYPE
// ZPTYPE: error: DequantizeLinear node 'dq': input 'x' holds UINT8 integers but its zero point is INT8

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_quantize_int32.onnx 2>&1 | FileCheck %s --check-prefix=QINT32
// QINT32: error: QuantizeLinear node 'q': QuantizeLinear has no INT32 output (supported: UINT8, INT8, UINT16, INT16)

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_output_dtype.onnx 2>&1 | FileCheck %s --check-prefix=OUTDTYPE
// OUTDTYPE: error: QuantizeLinear node 'q': output_dtype INT8 differs from the zero point's type UINT8

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_uint16_output.onnx 2>&1 | FileCheck %s --check-prefix=U16OUT
// U16OUT: error: graph output 'y' holds UINT16 integers; integer graph outputs must be UINT8, INT8 or INT32

// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_dynamic_shape.onnx 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: error: graph input 'x' dimension 1 ('len') is not static; only the leading (batch) dimension may be symbolic

// RUN: %expect_exit 1 -- quant-translate --import-onnx --batch-size=0 %S/Inputs/conv.onnx 2>&1 | FileCheck %s --check-prefix=BATCH
// BATCH: error: batch size must be > 0, got 0

// Regressions: an initializer whose shape overflows; nodes without outputs
// (dead nodes) must not crash the importer.
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_initializer_overflow.onnx 2>&1 | FileCheck %s --check-prefix=INIT-OVERFLOW
// INIT-OVERFLOW: error: initializer 'c' has an unsupported number of elements (shape overflows or exceeds 2^32 elements)
// RUN: quant-translate --import-onnx %S/Inputs/bad_no_output_q.onnx -o /dev/null
// RUN: quant-translate --import-onnx %S/Inputs/bad_no_output_avgpool.onnx -o /dev/null

// Diagnostics of the quantization operators (utils/onnx/make_test_models.py BAD_QUANT).
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_scale_negative.onnx 2>&1 | FileCheck %s --check-prefix=Q-SCALE-NEGATIVE
// Q-SCALE-NEGATIVE: error: DequantizeLinear node 'dq': scale -1.000000e+00 (element 0) must be finite and > 0
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_scale_empty.onnx 2>&1 | FileCheck %s --check-prefix=Q-SCALE-EMPTY
// Q-SCALE-EMPTY: error: DequantizeLinear node 'dq': axis 1 is out of range for rank 1
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_scale_int.onnx 2>&1 | FileCheck %s --check-prefix=Q-SCALE-INT
// Q-SCALE-INT: error: DequantizeLinear node 'dq': scale 's' must be a float tensor
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_scale_axis.onnx 2>&1 | FileCheck %s --check-prefix=Q-SCALE-AXIS
// Q-SCALE-AXIS: error: DequantizeLinear node 'dq': scale 's' has shape [3] but input 'x' [2,4] has 4 elements on axis 1
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_zero_point_count.onnx 2>&1 | FileCheck %s --check-prefix=Q-ZERO-POINT-COUNT
// Q-ZERO-POINT-COUNT: error: DequantizeLinear node 'dq': zero point 'z' has 3 values but the scale has 4
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_zero_point_float.onnx 2>&1 | FileCheck %s --check-prefix=Q-ZERO-POINT-FLOAT
// Q-ZERO-POINT-FLOAT: error: DequantizeLinear node 'dq': zero point 'z' must be an integer tensor
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_zero_point_int64.onnx 2>&1 | FileCheck %s --check-prefix=Q-ZERO-POINT-INT64
// Q-ZERO-POINT-INT64: error: DequantizeLinear node 'dq': unsupported quantized data type INT64 (supported: UINT8, INT8, UINT16, INT16, INT32)
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_block_size.onnx 2>&1 | FileCheck %s --check-prefix=Q-BLOCK-SIZE
// Q-BLOCK-SIZE: error: QuantizeLinear node 'q': blocked quantization (block_size) is not supported
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_q_float_input.onnx 2>&1 | FileCheck %s --check-prefix=Q-FLOAT-INPUT
// Q-FLOAT-INPUT: error: DequantizeLinear node 'dq': input 'x' must hold integers: the output of a QuantizeLinear or quantized operator, an integer graph input or an integer constant
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_convinteger_zero_point_type.onnx 2>&1 | FileCheck %s --check-prefix=CONVINTEGER-ZERO-POINT-TYPE
// CONVINTEGER-ZERO-POINT-TYPE: error: ConvInteger node 'convi': zero point 'xz' is INT8 but input 'x' holds UINT8
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_convinteger_zero_point_axis.onnx 2>&1 | FileCheck %s --check-prefix=CONVINTEGER-ZERO-POINT-AXIS
// CONVINTEGER-ZERO-POINT-AXIS: error: ConvInteger node 'convi': x_zero_point must be a scalar (per-tensor)
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_qlinearconv_x_scale.onnx 2>&1 | FileCheck %s --check-prefix=QLINEARCONV-X-SCALE
// QLINEARCONV-X-SCALE: error: QLinearConv node 'qconv': x_scale must be a scalar (per-tensor)
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_qlinearconv_float_input.onnx 2>&1 | FileCheck %s --check-prefix=QLINEARCONV-FLOAT-INPUT
// QLINEARCONV-FLOAT-INPUT: error: QLinearConv node 'qconv': input 'x' must hold integers, got a float tensor
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_qlinearconv_weight_rank.onnx 2>&1 | FileCheck %s --check-prefix=QLINEARCONV-WEIGHT-RANK
// QLINEARCONV-WEIGHT-RANK: error: QLinearConv node 'qconv': weight 'w' has shape [1,1,1]; expected 4-D [M, C/group, kH, kW]
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_qlinearconv_bias_shape.onnx 2>&1 | FileCheck %s --check-prefix=QLINEARCONV-BIAS-SHAPE
// QLINEARCONV-BIAS-SHAPE: error: QLinearConv node 'qconv': bias 'b' has shape [2]; expected [1]
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_matmulinteger_rank.onnx 2>&1 | FileCheck %s --check-prefix=MATMULINTEGER-RANK
// MATMULINTEGER-RANK: error: MatMulInteger node 'mmi': operands must be at least 2-D, got [4] and [4,2]
// RUN: %expect_exit 1 -- quant-translate --import-onnx %S/Inputs/bad_qlinearmatmul_y_scale.onnx 2>&1 | FileCheck %s --check-prefix=QLINEARMATMUL-Y-SCALE
// QLINEARMATMUL-Y-SCALE: error: QLinearMatMul node 'qmm': y_scale must be a scalar (per-tensor)
