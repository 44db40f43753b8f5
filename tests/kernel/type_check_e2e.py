"""End-to-end checks of the kernel's type diagnostics through Debian's jupyter_client.

Run by type_check_kernel_test.ts with JUPYTER_PATH pointing at a temporary
kernelspec prefix; argv[1] is a scratch folder, argv[2] the project's
notebooks folder (the kernels start there, so `../lib/mod.ts` resolves).
Prints one line per check ("ok NAME" or "FAIL NAME: why") and exits non-zero
if any failed.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _e2e import Checks, finish, run_in_kernel  # noqa: E402
from jupyter_client_e2e import execute, of_type, result_text, text_of  # noqa: E402

NOTEBOOKS = sys.argv[2]
warn_check = Checks()
error_check = Checks()


def order(outputs, msg_type):
    return [i for i, (kind, _) in enumerate(outputs) if kind == msg_type]


@warn_check
def wrong_type_warns_with_position_and_runs(kc):
    reply, outputs = execute(kc, 'const n: number = "x";\nn')
    assert reply["status"] == "ok", reply
    warning = "warning: TS2322 [line 1, col 7]: Type 'string' is not assignable to type 'number'.\n"
    assert text_of(outputs, "stderr") == warning, outputs
    assert result_text(outputs) == '"x"', outputs
    # The warnings come before the result, all before the reply.
    assert order(outputs, "stream")[0] < order(outputs, "execute_result")[0], outputs


@warn_check
def wrong_argument_warns_and_runs(kc):
    reply, outputs = execute(kc, 'function f(x: number) { return x * 2 }; f("3")')
    assert reply["status"] == "ok", reply
    stderr = text_of(outputs, "stderr")
    assert stderr.startswith("warning: TS2345 [line 1, col 43]: Argument of type 'string'"), outputs
    assert result_text(outputs) == "6", outputs


@warn_check
def a_cell_with_type_errors_keeps_its_state(kc):
    reply, outputs = execute(kc, 'let total: number = "4" as any + 2;\nconst label: string = 42;')
    assert reply["status"] == "ok" and "TS2322 [line 2, col 7]" in text_of(outputs, "stderr"), outputs
    reply, outputs = execute(kc, "`${label}: ${total}`")
    assert reply["status"] == "ok" and text_of(outputs, "stderr") == "", outputs
    assert result_text(outputs) == '"42: 42"', outputs


@warn_check
def import_of_a_missing_name_is_an_error(kc):
    reply, outputs = execute(kc, 'import { nothere } from "../lib/mod.ts";\nlet importRan = true;\nnothere')
    assert reply["status"] == "error" and reply["ename"] == "TS2305", reply
    assert ":1:10)" in reply["evalue"] and "nothere" in reply["evalue"], reply
    assert "The cell did not run" in reply["traceback"][-1], reply
    assert of_type(outputs, "error") and not of_type(outputs, "execute_result"), outputs
    reply, outputs = execute(kc, "typeof importRan")
    assert result_text(outputs) == '"undefined"', "the cell did not run"


@warn_check
def notebook_habits_give_no_warnings(kc):
    cells = [
        "const again = 1;",
        "const again = 1;",
        'const again = "now text"; again.length',
        "await display(html`<b>shown</b>`); md`*x*`",
        "(await Deno.readTextFile('../deno.json')).length > 0",
        "%%time\nconst timed: number = 1 + 1;",
        "timed * 2",
    ]
    for code in cells:
        reply, outputs = execute(kc, code)
        assert reply["status"] == "ok", (code, reply)
        assert "warning:" not in text_of(outputs, "stderr"), (code, outputs)


@error_check
def blocking_mode_stops_the_cell(kc):
    reply, outputs = execute(kc, 'const m: number = "x";\nDeno.env.set("BLOCKED_RAN", "1");')
    assert reply["status"] == "error" and reply["ename"] == "TS2322", reply
    count = reply["execution_count"]
    assert reply["evalue"] == f"Type 'string' is not assignable to type 'number'. (In[{count}]:1:7)", reply
    assert f"    at In[{count}]:1:7" in reply["traceback"], reply
    assert "DENO_WEBGPU_TYPECHECK=error" in reply["traceback"][-1], reply
    reply, outputs = execute(kc, 'Deno.env.get("BLOCKED_RAN") ?? "unset"')
    assert result_text(outputs) == '"unset"', ("the cell did not run", outputs)
    # The stopped cell declared nothing: the name is free, with no warning.
    reply, outputs = execute(kc, "const m = 5;\nm * 2")
    assert result_text(outputs) == "10" and text_of(outputs, "stderr") == "", outputs


@error_check
def blocking_mode_runs_correct_cells(kc):
    reply, outputs = execute(kc, 'import { tensor } from "../lib/mod.ts";\nconst shape = [2, 3];\nshape.length')
    assert reply["status"] == "ok" and result_text(outputs) == "2", (reply, outputs)
    started = time.time()
    reply, outputs = execute(kc, "shape.map((d) => d * 2)")
    print(f"info a checked cell's round trip in error mode: {(time.time() - started) * 1000:.0f} ms", flush=True)
    assert result_text(outputs) == "[ 4, 6 ]", outputs
    reply, outputs = execute(kc, 'import { nothere } from "../lib/mod.ts";')
    assert reply["status"] == "error" and reply["ename"] == "TS2305", reply


def main():
    failures = run_in_kernel(warn_check, NOTEBOOKS, env=dict(os.environ), pass_manager=False)
    failures += run_in_kernel(error_check, NOTEBOOKS, env={**os.environ, "DENO_WEBGPU_TYPECHECK": "error"},
                              pass_manager=False)
    finish(len(warn_check) + len(error_check), failures)


if __name__ == "__main__":
    main()
