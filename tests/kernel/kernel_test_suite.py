"""The upstream jupyter_kernel_test suite (pinned in scripts/setup.sh's .venv)
against the deno-webgpu kernel, with a TypeScript sample for every test it has.
Run by kernel_test_suite_test.ts with the venv's python and a kernelspec in a
temporary prefix (JUPYTER_PATH)."""
import unittest

import jupyter_kernel_test as jkt


class DenoWebgpuKernelTests(jkt.KernelTests):
    kernel_name = "deno-webgpu"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    completion_samples = [
        # Matches replace the text from cursor_start, after the dot.
        {"text": "Math.sq", "matches": {"sqrt"}},
        {"text": "Deno.readTextFileS", "matches": {"readTextFileSync"}},
    ]
    complete_code_samples = ["1 + 1", "const x = 3;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const y = [1, 2,", "if (true) {"]
    invalid_code_samples = ["const = 1;", "1 +* 2"]

    code_page_something = "Math.max?"
    code_generate_error = 'throw new Error("expected")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": '"ab"'},
    ]
    code_display_data = [
        {"code": 'display(html`<b>bold</b>`)', "mime": "text/html"},
        {"code": 'display(md`*md*`)', "mime": "text/markdown"},
    ]
    code_history_pattern = "6 ? 7"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main(verbosity=2)
