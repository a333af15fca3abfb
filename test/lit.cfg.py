# -*- Python -*-
# lit configuration of the FileCheck and execution tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QNT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qnt_obj_root, "test")

# test/Unit holds the GoogleTest suite (its own lit config).
config.excludes = ["Inputs", "cnn", "lit", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%qnt_src_root", config.qnt_src_root))
config.substitutions.append(("%qnt_obj_root", config.qnt_obj_root))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(
    ("%expect_exit",
     config.python_executable + " " +
     os.path.join(config.qnt_src_root, "test", "lit", "expect_exit.py")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.qnt_tools_dir, config.llvm_tools_dir]
# The tools print op locations by default (they carry ONNX node names); the
# FileCheck tests look at the IR, so they turn that off. The default itself is
# tested through %quant-translate-with-locs.
no_locs = ["--mlir-print-debuginfo=false"]
tools = [
    ToolSubst("quant-opt", extra_args=no_locs, unresolved="fatal"),
    ToolSubst("quant-translate", extra_args=no_locs, unresolved="fatal"),
    "quant-run",
    "quant-calibrate",
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
config.substitutions.append(
    ("%quant-translate-with-locs",
     os.path.join(config.qnt_tools_dir, "quant-translate")))
config.substitutions.append(
    ("%quant-opt-with-locs", os.path.join(config.qnt_tools_dir, "quant-opt")))
llvm_config.with_environment("PATH", config.qnt_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# The ONNX backend node tests come from Debian's libonnx-testdata.
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")
# The Fashion-MNIST example's data comes from Debian's dataset-fashion-mnist
# (installed by scripts/main.sh).
if os.path.isdir("/usr/share/datasets/fashion-mnist"):
    config.available_features.add("fashion-mnist")
