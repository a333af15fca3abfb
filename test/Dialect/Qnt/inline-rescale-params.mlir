// RUN: quant-opt %s --qnt-inline-rescale-params | FileCheck %s

// The multipliers in a resource blob become a dense constant; the dense
// shifts and the zero points stay.
// CHECK-LABEL: func.func @rescale
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<[1073741824, 1610612736]> : tensor<2xi32>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{values = dense<[33, 34]> : tensor<2xi8>}>
// CHECK: tosa.rescale %{{.*}}, %[[M]], %[[S]],
func.func @rescale(%x: tensor<1x2xi32>) -> tensor<1x2xi8> {
  %m = "tosa.const"() {values = dense_resource<m> : tensor<2xi32>} : () -> tensor<2xi32>
  %s = "tosa.const"() {values = dense<[33, 34]> : tensor<2xi8>} : () -> tensor<2xi8>
  %zi = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %zo = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %x, %m, %s, %zi, %zo {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = #tosa.rounding_mode<SINGLE_ROUND>, scale32 = true} : (tensor<1x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2xi8>
  return %r : tensor<1x2xi8>
}
{-#
  dialect_resources: {
    builtin: {
      m: "0x040000000000004000000060"
    }
  }
#-}
