# -*- Python -*-
# lit configuration of the GoogleTest unit tests: every TEST() is one lit test.

import os

import lit.formats

config.name = "QNT-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.qnt_obj_root, "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
