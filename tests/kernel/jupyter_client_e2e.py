"""End-to-end checks of the deno-webgpu kernel through Debian's jupyter_client.

Run by jupyter_client_test.ts with JUPYTER_PATH pointing at a temporary
kernelspec prefix and the notebook folder as argv[1]. Prints one line per
check ("ok NAME" or "FAIL NAME: why") and exits non-zero if any failed.
"""
import json
import os
import signal
import sys
import time
import uuid

import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # _e2e.py, also under PYTHONSAFEPATH
from _e2e import Checks, execute_messages, finish, run_in_kernel, shell_reply  # noqa: E402

NOTEBOOK_DIR = sys.argv[1]
check = Checks()


def execute(kc, code, timeout=30, **options):
    """Runs code; returns (reply content, [(msg_type, content), ...] of its iopub messages up to idle)."""
    reply, messages = execute_messages(kc, code, timeout, **options)
    return reply, [(msg["msg_type"], msg["content"]) for msg in messages]


def of_type(outputs, msg_type):
    return [content for kind, content in outputs if kind == msg_type]


def text_of(outputs, name="stdout"):
    return "".join(c["text"] for c in of_type(outputs, "stream") if c["name"] == name)


def result_text(outputs):
    results = of_type(outputs, "execute_result")
    return results[0]["data"].get("text/plain") if results else None


@check
def kernel_info(kc, km):
    reply = kc.kernel_info(reply=True, timeout=10)["content"]
    info = reply["language_info"]
    assert reply["status"] == "ok" and reply["implementation"] == "deno-webgpu", reply
    assert info["name"] == "typescript" and info["file_extension"] == ".ts", info
    for field in ["version", "mimetype", "codemirror_mode", "pygments_lexer"]:
        assert field in info, field
    assert reply["banner"] and reply["help_links"], reply
    assert tuple(map(int, reply["protocol_version"].split(".")[:2])) >= (5, 3)


@check
def execute_counts_and_results(kc, km):
    reply, outputs = execute(kc, "const answer: number = 40;\nanswer + 2")
    assert reply["status"] == "ok", reply
    count = reply["execution_count"]
    assert result_text(outputs) == "42", outputs
    assert of_type(outputs, "execute_input")[0]["execution_count"] == count
    reply, outputs = execute(kc, "answer", store_history=False)
    assert reply["execution_count"] == count, "store_history=False must not count"
    reply, outputs = execute(kc, "console.log('quiet'); answer", silent=True)
    assert not of_type(outputs, "execute_input") and not of_type(outputs, "execute_result"), outputs
    reply, outputs = execute(kc, "const answer = 'redeclared'; answer")
    assert reply["execution_count"] == count + 1, reply
    assert result_text(outputs) == '"redeclared"', outputs
    reply, outputs = execute(kc, "const n = 5;")
    assert not of_type(outputs, "execute_result"), "a declaration has no result"


@check
def top_level_await_and_plain_text(kc, km):
    reply, outputs = execute(kc, "await new Promise((r) => setTimeout(r, 20));\n({ a: [1, 2], s: 'x' })")
    assert reply["status"] == "ok", reply
    assert result_text(outputs) == '{ a: [ 1, 2 ], s: "x" }', outputs
    assert "\x1b[" not in result_text(outputs), "no ANSI colour codes"


@check
def error_traceback_has_cell_lines(kc, km):
    code = "interface P { x: number }\nfunction fail(p: P) {\n  throw new RangeError(`bad ${p.x}`);\n}\nfail({ x: 1 });"
    reply, outputs = execute(kc, code)
    assert reply["status"] == "error" and reply["ename"] == "RangeError" and reply["evalue"] == "bad 1", reply
    count = reply["execution_count"]
    traceback_text = "\n".join(reply["traceback"])
    assert f"at fail (In[{count}]:3:9)" in traceback_text, traceback_text
    assert f"In[{count}]:5:1" in traceback_text, traceback_text
    assert of_type(outputs, "error"), "an error message on iopub"


@check
def syntax_error_has_position(kc, km):
    reply, outputs = execute(kc, "const ok = 1;\nconst broken = (1 + ;")
    assert reply["status"] == "error" and reply["ename"] == "SyntaxError", reply
    assert ":2:" in reply["evalue"], reply
    assert of_type(outputs, "error"), outputs


@check
def non_error_throw(kc, km):
    execute(kc, "const survivor = 1;")
    reply, _ = execute(kc, "throw { code: 7 }")
    assert reply["status"] == "error" and reply["ename"] == "Uncaught" and "code: 7" in reply["evalue"], reply
    reply, _ = execute(kc, "survivor")
    assert reply["status"] == "ok", "state survives"


@check
def stop_on_error_aborts_queued(kc, km):
    # The failing cell takes a moment, so the next request is surely queued behind it.
    failing = kc.execute("await new Promise((r) => setTimeout(r, 200));\nthrow new Error('first')")
    queued = kc.execute("console.log('must not run')")
    replies = {failing: shell_reply(kc, failing, 20)["content"], queued: shell_reply(kc, queued, 20)["content"]}
    assert replies[failing]["status"] == "error", replies
    assert replies[queued]["status"] == "aborted", replies
    failing = kc.execute("await new Promise((r) => setTimeout(r, 200));\nthrow new Error('again')", stop_on_error=False)
    queued = kc.execute("1")
    replies = {failing: shell_reply(kc, failing, 20)["content"], queued: shell_reply(kc, queued, 20)["content"]}
    assert replies[queued]["status"] == "ok", replies


@check
def stop_on_error_spares_what_is_sent_after_the_error(kc, km):
    # A client may send its next request the moment the error reply arrives,
    # before the kernel says idle: that request was not queued behind the
    # error, so it runs (a race here once aborted the cell after an interrupt).
    for attempt in range(25):
        failing = kc.execute("throw new Error('fails at once')")
        assert shell_reply(kc, failing, 20)["content"]["status"] == "error"
        after = kc.execute("1")
        reply = shell_reply(kc, after, 20)["content"]
        assert reply["status"] == "ok", (attempt, reply)


@check
def ten_thousand_lines_all_before_idle(kc, km):
    reply, outputs = execute(kc, "for (let i = 0; i < 10000; i++) console.log(`line ${i}`);\n'end'")
    assert reply["status"] == "ok"
    text = text_of(outputs)
    assert text.count("\n") == 10000 and text.endswith("line 9999\n"), len(text)
    assert len(of_type(outputs, "stream")) < 50, f"{len(of_type(outputs, 'stream'))} stream messages"
    assert result_text(outputs) == '"end"'


@check
def stdout_stderr_and_binary(kc, km):
    code = "console.log('out'); console.error('err');\nDeno.stdout.writeSync(new Uint8Array([0xff, 0xfe, 0x41, 10]));"
    reply, outputs = execute(kc, code)
    assert reply["status"] == "ok", reply
    assert text_of(outputs, "stderr") == "err\n", outputs
    assert text_of(outputs) == "out\n\ufffd\ufffdA\n", repr(text_of(outputs))


@check
def display_update_and_clear(kc, km):
    code = """
await display(html`<b>step 0</b>`, { displayId: "progress" });
for (let i = 1; i <= 3; i++) await display(html`<b>step ${i}</b>`, { displayId: "progress", update: true });
await display({ "text/plain": "raw" }, { raw: true, metadata: { note: 1 } });
clearOutput({ wait: true });
md`**done**`
"""
    reply, outputs = execute(kc, code)
    assert reply["status"] == "ok", reply
    shown = of_type(outputs, "display_data")
    updates = of_type(outputs, "update_display_data")
    assert shown[0]["data"]["text/html"] == "<b>step 0</b>" and shown[0]["transient"]["display_id"] == "progress"
    # Updates in quick succession are coalesced: the last state always arrives.
    assert updates and updates[-1]["data"]["text/html"] == "<b>step 3</b>", updates
    assert all(u["transient"]["display_id"] == "progress" for u in updates)
    assert shown[1]["data"] == {"text/plain": "raw"} and shown[1]["metadata"] == {"note": 1}, shown
    assert of_type(outputs, "clear_output") == [{"wait": True}]
    assert of_type(outputs, "execute_result")[0]["data"]["text/markdown"] == "**done**"


@check
def many_updates_are_coalesced(kc, km):
    code = "await display(html`0`, { displayId: 'fast' });\n" \
        "for (let i = 1; i <= 5000; i++) await display(html`${i}`, { displayId: 'fast', update: true });"
    reply, outputs = execute(kc, code)
    updates = of_type(outputs, "update_display_data")
    assert reply["status"] == "ok" and updates[-1]["data"]["text/html"] == "5000", updates[-1:]
    assert len(updates) < 500, f"{len(updates)} update messages for 5000 updates"


@check
def display_protocol_and_plot(kc, km):
    code = """
class Pixel { [Symbol.for("Jupyter.display")]() { return { "text/html": "<i>pixel</i>", "text/plain": "pixel" }; } }
await display(plot([{ y: [1, 3, 2], type: "scatter" }]));
new Pixel()
"""
    reply, outputs = execute(kc, code)
    assert reply["status"] == "ok", reply
    bundles = [d["data"] for d in of_type(outputs, "display_data")]
    figure = [b for b in bundles if "application/vnd.plotly.v1+json" in b]
    assert figure and figure[0]["application/vnd.plotly.v1+json"]["data"] == [{"y": [1, 3, 2], "type": "scatter"}]
    assert "Plotly.newPlot" in figure[0]["text/html"]
    library = [b for b in bundles if "window.define = undefined" in b.get("text/html", "")]
    assert len(library) == 1 and len(library[0]["text/html"]) > 1_000_000, "plotly.js once, as its own output"
    assert of_type(outputs, "execute_result")[0]["data"]["text/html"] == "<i>pixel</i>"
    reply, outputs = execute(kc, "await display(plot({ data: [{ y: [2, 1] }], layout: { height: 300 } }));")
    bundles = [d["data"] for d in of_type(outputs, "display_data")]
    assert len(bundles) == 1 and "window.define" not in bundles[0]["text/html"], "library not sent twice"


@check
def imports_relative_to_notebook(kc, km):
    with open(os.path.join(NOTEBOOK_DIR, "helper_module.ts"), "w") as f:
        f.write("export const triple = (x: number): number => 3 * x;\nexport default 'helper';\n")
    reply, outputs = execute(kc, "import name, { triple } from './helper_module.ts';\n`${name} ${triple(14)}`")
    assert reply["status"] == "ok", reply
    assert result_text(outputs) == '"helper 42"', outputs
    reply, outputs = execute(kc, "import ts from 'npm:typescript@5.9.3';\ntypeof ts.transpileModule")
    assert reply["status"] == "ok" and result_text(outputs) == '"function"', (reply, outputs)


@check
def user_expressions(kc, km):
    reply, _ = execute(kc, "const ue = 6;", user_expressions={"double": "ue * 2", "bad": "nope.x"})
    expressions = reply["user_expressions"]
    assert expressions["double"] == {"status": "ok", "data": {"text/plain": "12"}, "metadata": {}}, expressions
    assert expressions["bad"]["status"] == "error" and expressions["bad"]["ename"] == "ReferenceError", expressions


@check
def late_errors_reach_the_current_cell(kc, km):
    # The first cell's reply waits for its type check (checked_run.ts), which
    # can outlast the timer: the error then comes while that cell is current.
    _, before = execute(kc, "setTimeout(() => { throw new Error('late boom'); }, 50);")
    reply, outputs = execute(kc, "await new Promise((r) => setTimeout(r, 400)); 'still here'")
    assert reply["status"] == "ok", reply
    errors = of_type(before + outputs, "error")
    assert errors and errors[0]["evalue"] == "late boom", before + outputs
    # A rejection nobody handles shows up in the cell where it happened, or the next one.
    _, first = execute(kc, "Promise.reject(new TypeError('forgotten'));")
    reply, outputs = execute(kc, "await new Promise((r) => setTimeout(r, 200));")
    assert any(e["evalue"] == "forgotten" for e in of_type(first + outputs, "error")), first + outputs


@check
def errors_after_a_cells_idle_open_the_next_cell(kc, km):
    # A frontend stops listening to a cell after its idle, so an error raised
    # then waits for the next cell instead of being sent to the finished one.
    _, first = execute(kc, "setTimeout(() => { throw new Error('after idle'); }, 300); 1")
    assert not of_type(first, "error"), first
    time.sleep(1.5)
    reply, outputs = execute(kc, "'next'")
    assert reply["status"] == "ok", reply
    kinds = [kind for kind, content in outputs if kind in ("error", "execute_result")]
    assert kinds == ["error", "execute_result"], outputs
    assert of_type(outputs, "error")[0]["evalue"] == "after idle", outputs


@check
def interrupt_async_loop(kc, km):
    execute(kc, "const kept = 'state';")
    msg_id = kc.execute("let ticks = 0;\nwhile (true) { await new Promise((r) => setTimeout(r, 20)); ticks++; }")
    time.sleep(1.0)
    started = time.time()
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id, 10)
    elapsed = time.time() - started
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "Interrupted", reply["content"]
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    reply, outputs = execute(kc, "`${kept} ${ticks > 10}`")
    assert result_text(outputs) == '"state true"', outputs


@check
def sigint_interrupts_too(kc, km):
    msg_id = kc.execute("while (true) await new Promise((r) => setTimeout(r, 20));")
    time.sleep(0.5)
    km.signal_kernel(signal.SIGINT)
    reply = shell_reply(kc, msg_id, 10)
    assert reply["content"]["ename"] == "Interrupted", reply["content"]
    reply, outputs = execute(kc, "kept")
    assert result_text(outputs) == '"state"', "the executor survived the signal"


@check
def interrupt_never_resolving_cell(kc, km):
    msg_id = kc.execute("await new Promise(() => {});")
    time.sleep(0.5)
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id, 10)
    assert reply["content"]["ename"] == "Interrupted", reply["content"]
    reply, outputs = execute(kc, "kept")
    assert result_text(outputs) == '"state"'


@check
def finished_interrupt_spares_the_next_cell(kc, km):
    # The grace period of an interrupt follows the interrupted cell: a cell
    # started after it stopped is not taken for a stuck one.
    execute(kc, "let important = 'x'")
    msg_id = kc.execute("await new Promise((r) => setTimeout(r, 60000))")
    time.sleep(1)
    km.interrupt_kernel()
    assert shell_reply(kc, msg_id, 10)["content"]["ename"] == "Interrupted"
    reply, _ = execute(kc, "await new Promise((r) => setTimeout(r, 2000))")
    assert reply["status"] == "ok", reply
    reply, outputs = execute(kc, "typeof important")
    assert result_text(outputs) == '"string"', outputs


@check
def interrupt_a_pending_promise_result_keeps_state(kc, km):
    execute(kc, "let before = 'kept'")
    msg_id = kc.execute("const p = new Promise(() => {}); p")
    time.sleep(0.5)
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id, 10)["content"]
    assert reply["ename"] == "Interrupted", reply
    reply, outputs = execute(kc, "before")
    assert result_text(outputs) == '"kept"', outputs
    reply, outputs = execute(kc, "({ n: 1 })")
    assert result_text(outputs) == "{ n: 1 }", outputs


@check
def interrupt_sync_loop_restarts_executor(kc, km):
    msg_id = kc.execute("while (true) {}")
    time.sleep(0.5)
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id, 15)["content"]
    assert reply["status"] == "error" and "state" in reply["evalue"].lower(), reply
    reply, outputs = execute(kc, "typeof kept")
    assert result_text(outputs) == '"undefined"', "a fresh executor"
    reply, outputs = execute(kc, "1 + 1")
    assert result_text(outputs) == "2"


@check
def first_plot_without_await(kc, km):
    # Right after the restart above: this executor has not sent plotly.js yet.
    reply, outputs = execute(kc, "display(plot([{ y: [1, 2] }]));\n'after'")
    assert reply["status"] == "ok", reply
    bundles = [c["data"] for c in of_type(outputs, "display_data")]
    assert len(bundles) == 2 and "application/vnd.plotly.v1+json" in bundles[1], bundles
    assert len(bundles[0]["text/html"]) > 1_000_000, "the library first, then the chart"
    reply, outputs = execute(kc, "1 + 2")
    assert result_text(outputs) == "3", "the executor survived"


@check
def large_unawaited_display_keeps_state(kc, km):
    execute(kc, "let beforeDisplay = 'kept'")
    for size, mime in [(1 << 20, "text/plain"), (4 << 20, "text/html"), (10 << 20, "text/plain")]:
        code = f"globalThis.s = 'y'.repeat({size}); display({{ '{mime}': s }}, {{ raw: true }}); 1"
        reply, outputs = execute(kc, code, timeout=60)
        assert reply["status"] == "ok", reply
        shown = of_type(outputs, "display_data")
        assert len(shown) == 1 and len(shown[0]["data"][mime]) == size, (mime, size, len(shown))
    reply, outputs = execute(kc, "beforeDisplay")
    assert result_text(outputs) == '"kept"', outputs


@check
def interrupt_stops_a_training_loop(kc, km):
    # The loop awaits inside the library, where the cell's await hooks do not
    # reach: the kernel's abort signal stops it between steps.
    lib = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib", "mod.ts")
    execute(kc, f"""
import {{ data, nn, train }} from {json.dumps(os.path.abspath(lib))};
const tiny = {{ length: 32, get: (i: number) => [{{ data: new Uint8Array(16).fill(i * 8), channels: 1, height: 4, width: 4 }}, i % 2] as any }};
const loader = new data.DataLoader(tiny, {{ batchSize: 8 }});
const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(16, 2));
let epochsRun = 0;
""", timeout=120)
    msg_id = kc.execute("await train(net, loader, loader, { epochs: 100000, lr: 0.01, live: false, onEpoch: () => { epochsRun++; } });")
    time.sleep(3.0)
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id, 10)["content"]
    assert reply["status"] == "error" and reply["ename"] in ("Interrupted", "TrainingInterrupted"), reply
    _, first = execute(kc, "epochsRun")
    time.sleep(1.0)
    _, second = execute(kc, "epochsRun")
    assert int(result_text(first)) > 0 and result_text(first) == result_text(second), (first, second)


@check
def executor_crash_recovered(kc, km):
    execute(kc, "const before = 1;")
    reply, outputs = execute(kc, "console.log('bye'); Deno.exit(3);")
    assert reply["status"] == "error" and reply["ename"] == "ExecutorDied", reply
    assert "exited with code 3" in reply["evalue"] and "state was lost" in reply["evalue"], reply
    reply, outputs = execute(kc, "typeof before")
    assert reply["status"] == "ok" and result_text(outputs) == '"undefined"', outputs


@check
def stdin_input(kc, km):
    msg_id = kc.execute("const who = await input('Name? ');\n`hello ${who}`", allow_stdin=True)
    request = kc.get_stdin_msg(timeout=10)
    assert request["msg_type"] == "input_request" and request["content"]["prompt"] == "Name? ", request
    kc.input("Ada")
    reply = shell_reply(kc, msg_id, 10)
    assert reply["content"]["status"] == "ok", reply["content"]
    reply, outputs = execute(kc, "who")
    assert result_text(outputs) == '"Ada"'
    reply, _ = execute(kc, "await input('x')", allow_stdin=False)
    assert reply["status"] == "error" and "allow_stdin" in reply["evalue"], reply
    # The synchronous prompt() of browsers works too.
    msg_id = kc.execute("const age = prompt('Age?');", allow_stdin=True)
    request = kc.get_stdin_msg(timeout=10)
    assert request["content"]["prompt"] == "Age?", request
    kc.input("42")
    assert shell_reply(kc, msg_id, 10)["content"]["status"] == "ok"
    reply, outputs = execute(kc, "age")
    assert result_text(outputs) == '"42"', outputs
    # An interrupt while prompt() waits ends the cell and keeps the state.
    msg_id = kc.execute("prompt('never answered')", allow_stdin=True)
    kc.get_stdin_msg(timeout=10)
    km.interrupt_kernel()
    assert shell_reply(kc, msg_id, 10)["content"]["status"] == "error"
    reply, outputs = execute(kc, "age")
    assert result_text(outputs) == '"42"', outputs
    reply, _ = execute(kc, "prompt('x')", allow_stdin=False)
    assert reply["status"] == "error" and "allow_stdin" in reply["evalue"], reply


@check
def input_reply_must_answer_the_pending_request(kc, km):
    msg_id = kc.execute("const answer = await input('Q? ');\nanswer", allow_stdin=True)
    request = kc.get_stdin_msg(timeout=10)
    assert request["msg_type"] == "input_request", request
    # A reply to some other request (a stale one) is ignored; the real one counts.
    other = dict(request["header"], msg_id="not-the-pending-request")
    kc.stdin_channel.send(kc.session.msg("input_reply", {"value": "stale"}, parent=other))
    time.sleep(0.3)
    kc.stdin_channel.send(kc.session.msg("input_reply", {"value": "fresh"}, parent=request))
    reply = shell_reply(kc, msg_id, 10)["content"]
    assert reply["status"] == "ok", reply
    reply, outputs = execute(kc, "answer")
    assert result_text(outputs) == '"fresh"', outputs


@check
def complete_and_inspect(kc, km):
    execute(kc, "const longVariableName = { alpha: 1, beta: 2 };")
    code = "longVar"
    reply = kc.complete(code, len(code), reply=True, timeout=10)["content"]
    assert "longVariableName" in reply["matches"], reply
    assert (reply["cursor_start"], reply["cursor_end"]) == (0, 7), reply
    code = "longVariableName.al"
    reply = kc.complete(code, len(code), reply=True, timeout=10)["content"]
    assert reply["matches"] == ["alpha"] and reply["cursor_start"] == 17, reply
    code = "Math.ma"
    reply = kc.complete(code, len(code), reply=True, timeout=10)["content"]
    assert "max" in reply["matches"], reply
    open(os.path.join(NOTEBOOK_DIR, "completable_module.ts"), "w").close()
    code = 'import { x } from "./completable_m'
    reply = kc.complete(code, len(code), reply=True, timeout=10)["content"]
    assert reply["matches"] == ["completable_module.ts"] and reply["cursor_start"] == len(code) - len("completable_m"), reply
    reply = kc.inspect("Math.max", 6, reply=True, timeout=10)["content"]
    assert reply["found"] and "Math.max" in reply["data"]["text/plain"], reply
    with open(os.path.join(NOTEBOOK_DIR, "documented.ts"), "w") as f:
        f.write("/** Scales a value by two. */\nexport function twice(x: number): number { return 2 * x; }\n")
    execute(kc, "import { twice } from './documented.ts';")
    reply = kc.inspect("twice(1)", 3, reply=True, timeout=20)["content"]
    text = reply["data"].get("text/plain", "")
    assert "twice(x: number): number" in text and "Scales a value by two." in text, reply
    assert "text/markdown" in reply["data"], reply
    reply = kc.inspect("noSuchThing", 3, reply=True, timeout=10)["content"]
    assert reply["status"] == "ok" and not reply["found"], reply


@check
def is_complete(kc, km):
    def status(code):
        return shell_reply(kc, kc.is_complete(code), 10)["content"]["status"]
    assert status("const a = 1;") == "complete"
    assert status("function f() {") == "incomplete"
    assert status("1 +* 2") == "invalid"


@check
def history(kc, km):
    execute(kc, "const historic = 'h';")
    reply = kc.history(hist_access_type="tail", n=3, output=False, raw=True, reply=True, timeout=10)["content"]
    assert reply["status"] == "ok" and any(entry[2] == "const historic = 'h';" for entry in reply["history"]), reply


@check
def comms(kc, km):
    reply = kc.comm_info(reply=True, timeout=10)["content"]
    assert reply == {"status": "ok", "comms": {}}, reply
    comm_id = uuid.uuid4().hex
    msg = kc.session.msg("comm_open", {"comm_id": comm_id, "target_name": "nobody", "data": {}})
    kc.shell_channel.send(msg)
    deadline = time.time() + 10
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=10)
        if m["msg_type"] == "comm_close" and m["content"]["comm_id"] == comm_id:
            break
    else:
        raise AssertionError("no comm_close for an unknown target")


@check
def bad_input_is_survived(kc, km):
    context = zmq.Context.instance()
    raw = context.socket(zmq.DEALER)
    raw.connect(f"{km.transport}://{km.ip}:{km.shell_port}")
    forged = Session(key=b"not-the-key", username="mallory")
    # A message signed with the wrong key: dropped, never executed.
    forged_msg = forged.send(raw, "execute_request", {"code": "globalThis.pwned = true; console.log('PWNED')", "silent": False,
                                         "store_history": True, "user_expressions": {}, "allow_stdin": False})
    # Garbage frames, bad JSON, an unknown type, missing fields.
    raw.send_multipart([b"<IDS|MSG>"])
    raw.send_multipart([b"hello", b"world"])
    good = Session(key=km.session.key, username="tester")
    signature_of = lambda parts: good.sign(parts).decode()
    parts = [b"{not json", b"{}", b"{}", b"{}"]
    raw.send_multipart([b"<IDS|MSG>", signature_of(parts).encode(), *parts])
    good.send(raw, "no_such_request", {})
    # Larger than the kernel's 64 MiB bound: dropped unread.
    huge = b"x" * (65 * 1024 * 1024)
    raw.send_multipart([b"<IDS|MSG>", b"0" * 64, b"{}", b"{}", b"{}", huge])
    del huge
    good.send(raw, "execute_request", {})
    good.send(raw, "complete_request", {"code": 5})
    answered = []
    while raw.poll(1500):
        frames = raw.recv_multipart()
        answered.append((json.loads(frames[2])["msg_type"], json.loads(frames[3]).get("msg_id")))
    raw.close(0)
    # Only the well-formed requests get replies; the forged one gets none.
    assert sorted(kind for kind, _ in answered) == ["complete_reply", "execute_reply"], answered
    assert forged_msg["header"]["msg_id"] not in [parent for _, parent in answered]
    reply, outputs = execute(kc, "typeof globalThis.pwned")
    assert result_text(outputs) == '"undefined"', "the forged message ran"
    assert kc.is_alive()


@check
def oversized_request_gets_an_error_reply(kc, km):
    execute(kc, "let small = 'still here'")
    # Readable envelope: the request is answered with an error naming the limit.
    msg_id = kc.execute("// " + "x" * (70 * 1024 * 1024))
    reply = shell_reply(kc, msg_id, 60)["content"]
    assert reply["status"] == "error" and reply["ename"] == "MessageTooLarge", reply
    assert "64.0 MiB" in reply["evalue"], reply
    # Unreadable (no valid signature): said on iopub, as no reply can be addressed.
    context = zmq.Context.instance()
    raw = context.socket(zmq.DEALER)
    raw.connect(f"{km.transport}://{km.ip}:{km.shell_port}")
    raw.send_multipart([b"<IDS|MSG>", b"0" * 64, b"{}", b"{}", b"{}", b"y" * (65 * 1024 * 1024)])
    deadline = time.time() + 60
    said = False
    while time.time() < deadline and not said:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Exception:
            continue
        said = msg["msg_type"] == "stream" and "limit of 64.0 MiB" in msg["content"]["text"]
    raw.close(0)
    assert said, "no word on iopub"
    reply, outputs = execute(kc, "small")
    assert result_text(outputs) == '"still here"', outputs


@check
def restricted_permissions(kc, km):
    other = KernelManager(kernel_name="deno-webgpu-restricted")
    other.start_kernel(cwd=NOTEBOOK_DIR)
    client = other.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply, outputs = execute(client, "Deno.readTextFileSync('helper_module.ts').length > 0")
        assert result_text(outputs) == "true", (reply, outputs)
        reply, outputs = execute(client, "Deno.env.get('HOME')")
        assert reply["status"] == "error" and reply["ename"] == "NotCapable", reply
    finally:
        client.stop_channels()
        other.shutdown_kernel(now=True)


@check
def restart_and_shutdown(kc, km):
    execute(kc, "const beforeRestart = 1;")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=30)
    reply, outputs = execute(kc, "typeof beforeRestart")
    assert result_text(outputs) == '"undefined"', outputs
    km.shutdown_kernel(now=False)
    assert not km.is_alive(), "the kernel process ended"


def main():
    only = set(sys.argv[2:])
    failures = run_in_kernel(check, NOTEBOOK_DIR, announce_ready=True, only=only)
    finish(len(check), failures, only)


if __name__ == "__main__":
    main()
