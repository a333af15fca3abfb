"""expect_exit.py CODE -- COMMAND...: runs COMMAND, passes its stderr and
stdout through, and fails unless it exits with CODE (so a crash, which exits
with a signal, never passes for a diagnostic)."""
import subprocess
import sys

code = int(sys.argv[1])
assert sys.argv[2] == "--"
result = subprocess.run(sys.argv[3:])
if result.returncode != code:
    sys.exit(f"expected exit status {code}, got {result.returncode}")
