// RUN: quant-opt %s --qnt-lower-dot-u8s8=vnni=on | FileCheck %s --check-prefix=VNNI
// RUN: quant-opt %s --qnt-lower-dot-u8s8=vnni=off | FileCheck %s --check-prefix=PORTABLE
// RUN: %expect_exit 1 -- quant-opt %s --qnt-lower-dot-u8s8=vnni=maybe 2>&1 | FileCheck %s --check-prefix=BADOPT

// VNNI-LABEL: func.func @dot
// VNNI-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[A:.*]]: vector<64xi8>, %[[B:.*]]: vector<64xi8>)
// VNNI: %[[R:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[A]], %[[B]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// VNNI: return %[[R]]

// Byte t of each group of four, zero- and sign-extended, multiplied and
// added, four times.
// PORTABLE-LABEL: func.func @dot
// PORTABLE-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[A:.*]]: vector<64xi8>, %[[B:.*]]: vector<64xi8>)
// PORTABLE: %[[A0:.*]] = vector.shuffle %[[A]], %[[A]] [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]
// PORTABLE: %[[AW:.*]] = arith.extui %[[A0]] : vector<16xi8> to vector<16xi32>
// PORTABLE: %[[B0:.*]] = vector.shuffle %[[B]], %[[B]] [0, 4, 8
// PORTABLE: %[[BW:.*]] = arith.extsi %[[B0]] : vector<16xi8> to vector<16xi32>
// PORTABLE: %[[P:.*]] = arith.muli %[[AW]], %[[BW]] : vector<16xi32>
// PORTABLE: %[[S:.*]] = arith.addi %[[ACC]], %[[P]] : vector<16xi32>
// PORTABLE: vector.shuffle %[[A]], %[[A]] [3, 7, 11
// PORTABLE-NOT: llvm.call_intrinsic
// PORTABLE: return

// BADOPT: error: --qnt-lower-dot-u8s8: option vnni must be auto, on or off, got 'maybe'
func.func @dot(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = qnt.dot_u8s8 %acc, %a, %b : vector<16xi32>, vector<64xi8>
  return %r : vector<16xi32>
}

// VNNI-LABEL: func.func @dot_s16
// VNNI-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[A:.*]]: vector<32xi16>, %[[B:.*]]: vector<32xi16>)
// VNNI: %[[R:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpwssd.512"(%[[ACC]], %[[A]], %[[B]]) : (vector<16xi32>, vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// VNNI: return %[[R]]

// Both halves of each pair sign-extended, multiplied and added.
// PORTABLE-LABEL: func.func @dot_s16
// PORTABLE-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[A:.*]]: vector<32xi16>, %[[B:.*]]: vector<32xi16>)
// PORTABLE: %[[A0:.*]] = vector.shuffle %[[A]], %[[A]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// PORTABLE: %[[AW:.*]] = arith.extsi %[[A0]] : vector<16xi16> to vector<16xi32>
// PORTABLE: %[[B0:.*]] = vector.shuffle %[[B]], %[[B]] [0, 2, 4
// PORTABLE: %[[BW:.*]] = arith.extsi %[[B0]] : vector<16xi16> to vector<16xi32>
// PORTABLE: %[[P:.*]] = arith.muli %[[AW]], %[[BW]] : vector<16xi32>
// PORTABLE: %[[S:.*]] = arith.addi %[[ACC]], %[[P]] : vector<16xi32>
// PORTABLE: vector.shuffle %[[A]], %[[A]] [1, 3, 5
// PORTABLE-NOT: llvm.call_intrinsic
// PORTABLE: return
func.func @dot_s16(%acc: vector<16xi32>, %a: vector<32xi16>, %b: vector<32xi16>) -> vector<16xi32> {
  %r = qnt.dot_s16s16 %acc, %a, %b : vector<16xi32>, vector<32xi16>
  return %r : vector<16xi32>
}

// Four vectors: two vpackssdw, one vpacksswb, the dwords put back in
// operand order (dword 4L + s of the packs is operand s's lanes 4L..4L+3).
// VNNI-LABEL: func.func @pack4
// VNNI-SAME: (%[[A:.*]]: vector<16xi32>, %[[B:.*]]: vector<16xi32>, %[[C:.*]]: vector<16xi32>, %[[D:.*]]: vector<16xi32>)
// VNNI: %[[AB:.*]] = llvm.call_intrinsic "llvm.x86.avx512.packssdw.512"(%[[A]], %[[B]]) : (vector<16xi32>, vector<16xi32>) -> vector<32xi16>
// VNNI: %[[CD:.*]] = llvm.call_intrinsic "llvm.x86.avx512.packssdw.512"(%[[C]], %[[D]]) : (vector<16xi32>, vector<16xi32>) -> vector<32xi16>
// VNNI: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx512.packsswb.512"(%[[AB]], %[[CD]]) : (vector<32xi16>, vector<32xi16>) -> vector<64xi8>
// VNNI: %[[W:.*]] = vector.bitcast %[[P]] : vector<64xi8> to vector<16xi32>
// VNNI: %[[O:.*]] = vector.shuffle %[[W]], %[[W]] [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15]
// VNNI: %[[R:.*]] = vector.bitcast %[[O]] : vector<16xi32> to vector<64xi8>
// VNNI: return %[[R]]

// Each operand clamped and truncated, the halves concatenated.
// PORTABLE-LABEL: func.func @pack4
// PORTABLE-SAME: (%[[A:.*]]: vector<16xi32>, %[[B:.*]]: vector<16xi32>, %[[C:.*]]: vector<16xi32>, %[[D:.*]]: vector<16xi32>)
// PORTABLE: %[[LO:.*]] = arith.constant dense<-128> : vector<16xi32>
// PORTABLE: %[[HI:.*]] = arith.constant dense<127> : vector<16xi32>
// PORTABLE: %[[MA:.*]] = arith.maxsi %[[A]], %[[LO]]
// PORTABLE: %[[CA:.*]] = arith.minsi %[[MA]], %[[HI]]
// PORTABLE: %[[TA:.*]] = arith.trunci %[[CA]] : vector<16xi32> to vector<16xi8>
// PORTABLE: %[[TB:.*]] = arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// PORTABLE: %[[TC:.*]] = arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// PORTABLE: %[[TD:.*]] = arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// PORTABLE: %[[AB:.*]] = vector.shuffle %[[TA]], %[[TB]] [0, 1, {{.*}}, 31] : vector<16xi8>, vector<16xi8>
// PORTABLE: %[[CD:.*]] = vector.shuffle %[[TC]], %[[TD]] [0, 1, {{.*}}, 31] : vector<16xi8>, vector<16xi8>
// PORTABLE: %[[R:.*]] = vector.shuffle %[[AB]], %[[CD]] [0, 1, {{.*}}, 63] : vector<32xi8>, vector<32xi8>
// PORTABLE-NOT: llvm.call_intrinsic
// PORTABLE: return %[[R]]
func.func @pack4(%a: vector<16xi32>, %b: vector<16xi32>, %c: vector<16xi32>, %d: vector<16xi32>) -> vector<64xi8> {
  %r = qnt.pack_s8 %a, %b, %c, %d : vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32> -> vector<64xi8>
  return %r : vector<64xi8>
}

// Two vectors: the second vpacksswb operand repeats the first, the low
// eight dwords are the result.
// VNNI-LABEL: func.func @pack2
// VNNI-SAME: (%[[A:.*]]: vector<16xi32>, %[[B:.*]]: vector<16xi32>)
// VNNI: %[[AB:.*]] = llvm.call_intrinsic "llvm.x86.avx512.packssdw.512"(%[[A]], %[[B]])
// VNNI: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx512.packsswb.512"(%[[AB]], %[[AB]])
// VNNI: %[[W:.*]] = vector.bitcast %[[P]] : vector<64xi8> to vector<16xi32>
// VNNI: %[[O:.*]] = vector.shuffle %[[W]], %[[W]] [0, 4, 8, 12, 1, 5, 9, 13] : vector<16xi32>, vector<16xi32>
// VNNI: %[[R:.*]] = vector.bitcast %[[O]] : vector<8xi32> to vector<32xi8>
// VNNI: return %[[R]]
// PORTABLE-LABEL: func.func @pack2
// PORTABLE: %[[R:.*]] = vector.shuffle {{.*}} [0, 1, {{.*}}, 31] : vector<16xi8>, vector<16xi8>
// PORTABLE: return %[[R]]
func.func @pack2(%a: vector<16xi32>, %b: vector<16xi32>) -> vector<32xi8> {
  %r = qnt.pack_s8 %a, %b : vector<16xi32>, vector<16xi32> -> vector<32xi8>
  return %r : vector<32xi8>
}
