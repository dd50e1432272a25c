"""The official conformance suite (jupyter_kernel_test) against the project kernel.

Run by tests/kernel/conformance.test.ts as `python3 -m unittest` with JUPYTER_PATH set to the
project-local kernelspec. Every sample below is something the kernel must handle.
"""
import unittest

import jupyter_kernel_test

WARM_UP_TIMEOUT = 120


class LlmPriceLabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "llm-price-lab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = "console.log('hello, world');"
    code_stderr = "console.error('oops');"
    code_generate_error = "throw new Error('expected failure');"
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'price'", "result": "'price'"},
        {"code": "[1, 2].map((x) => x * 2)", "result": "[ 2, 4 ]"},
    ]
    code_display_data = [
        {"code": "import { display } from 'llm-price-lab/display';\ndisplay({ 'text/html': '<b>x</b>', 'text/plain': 'x' });", "mime": "text/html"},
        {"code": "import { display } from 'llm-price-lab/display';\ndisplay({ 'image/svg+xml': '<svg/>' });", "mime": "image/svg+xml"},
    ]
    code_clear_output = "import { clearOutput } from 'llm-price-lab/display';\nclearOutput();"
    code_inspect_sample = "Math.max"
    completion_samples = [
        {"text": "Math.ma", "matches": {"max"}},
        {"text": "const priceInUsd = 1;\npriceIn", "matches": {"priceInUsd"}},
    ]
    complete_code_samples = ["const a = 1;", "1 + 1", "function f() {\n  return 1;\n}"]
    incomplete_code_samples = ["function f() {", "const a = [1,", "if (a) {"]
    invalid_code_samples = ["const = 1;", "x = )", "let 1a = 2;"]
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 * ?"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The kernel creates its compiler at the first cell that needs it (about a second, far more
        # on a loaded machine); the suite's own 15 s waits start after that, as a user's would.
        cls.kc.execute("undefined", silent=True, store_history=False, reply=True, timeout=WARM_UP_TIMEOUT)


if __name__ == "__main__":
    unittest.main()
