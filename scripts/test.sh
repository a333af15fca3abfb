#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test in
# one lit run (FileCheck tests, execution tests, unit tests, docs freshness).
# Ends with one line: "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/common.sh"

if ! qnt_install_packages dataset-fashion-mnist || ! qnt_build all mlir-doc; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$QNT_BUILD/test-results.xml"
rm -f "$results"
echo "== running lit on $QNT_BUILD/test"
"$LLVM_PREFIX/bin/lit" -sv --xunit-xml-output "$results" "$QNT_BUILD/test"
status=$?

# Count from the xunit report: a test case with <failure> failed, with
# <skipped> was skipped (unsupported), anything else passed.
/usr/bin/python3 - "$results" "$status" <<'PY'
import sys, xml.etree.ElementTree as ET
path, status = sys.argv[1], int(sys.argv[2])
try:
    cases = ET.parse(path).getroot().iter("testcase")
except (OSError, ET.ParseError):
    print("no test report")
    print("0 passed, 1 failed")
    sys.exit(1)
passed = failed = skipped = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
if status != 0 and failed == 0:
    failed = 1  # lit failed without a failing test case (configuration error)
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
PY
