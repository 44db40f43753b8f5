"""End-to-end checks of Jupyter comms in the deno-webgpu kernel through Debian's jupyter_client.

Run by comms_test.ts with JUPYTER_PATH pointing at a temporary kernelspec
prefix, the notebook folder as argv[1] and the kernel's log file in
$DENO_WEBGPU_TEST_KERNEL_LOG. Prints one line per check ("ok NAME" or
"FAIL NAME: why") and exits non-zero if any failed. Every wait is for an
event (a message, a log line) with a generous deadline: CI is a loaded
2-core machine.
"""
import os
import sys
import time
import uuid

from jupyter_client.session import Session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # _e2e.py, also under PYTHONSAFEPATH
from _e2e import Checks, execute_messages, finish, run_in_kernel, shell_reply  # noqa: E402

NOTEBOOK_DIR = sys.argv[1]
LOG = os.environ["DENO_WEBGPU_TEST_KERNEL_LOG"]
TIMEOUT = 60
check = Checks()


def ok(kc, code):
    reply, messages = execute_messages(kc, code, TIMEOUT)
    assert reply["status"] == "ok", (code, reply)
    return messages


def result(kc, code):
    messages = ok(kc, code)
    results = [m["content"]["data"]["text/plain"] for m in messages if m["msg_type"] == "execute_result"]
    return results[0] if results else None


def stderr_of(messages):
    return "".join(m["content"]["text"] for m in messages
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")


def wait_iopub(kc, predicate, what, timeout=TIMEOUT):
    """The first iopub message for which predicate is true (others are skipped)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        except Exception:
            break
        if predicate(msg):
            return msg
    raise AssertionError(f"no iopub message: {what}")


def comm_message(msg_type, comm_id, **where):
    def matches(msg):
        if msg["msg_type"] != msg_type or msg["content"].get("comm_id") != comm_id:
            return False
        return all(msg["content"]["data"].get(key) == value for key, value in where.items())
    return matches


def send(kc, msg_type, content, buffers=None):
    """Sends a frontend message on shell (with binary buffers when given)."""
    return kc.session.send(kc.shell_channel.socket, msg_type, content, buffers=buffers)


def comm_info(kc, target_name=None):
    content = {} if target_name is None else {"target_name": target_name}
    msg = send(kc, "comm_info_request", content)
    reply = shell_reply(kc, msg["header"]["msg_id"])["content"]
    assert reply["status"] == "ok", reply
    return reply["comms"]


def wait_log(text, timeout=TIMEOUT):
    """Waits until the kernel's log holds a line with text; returns that line."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(LOG, encoding="utf-8") as log:
            for line in log:
                if text in line:
                    return line
        time.sleep(0.05)  # polling a file: the log has no event to await
    raise AssertionError(f"the kernel log never said {text!r}")


def wait_idle(kc, parent_id, timeout=TIMEOUT):
    return wait_iopub(kc, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                      and m["parent_header"].get("msg_id") == parent_id, f"idle of {parent_id}", timeout)


def new_id():
    return uuid.uuid4().hex


ECHO_TARGET = """
globalThis.echoLog = [];
comms.registerTarget("echo", (comm, open) => {
  comm.send({ opened: open.data, target: comm.targetName, id: comm.id });
  comm.onMessage((m) => {
    echoLog.push(m.data);
    comm.send(
      { echo: m.data, sizes: m.buffers.map((b) => b.length), meta: m.metadata },
      { buffers: m.buffers.map((b) => b.slice().reverse()) },
    );
  });
  comm.onClose((m) => { globalThis.closedWith = m.data; });
});
"""


@check
def widget_frontend_flag_is_set_by_the_control_comm(kc, km):
    assert result(kc, "comms.frontendHasWidgets") == "false"
    assert result(kc, "comms === globalThis[Symbol.for('deno-webgpu.kernel.comms')]") == "true"
    comm_id = new_id()
    opened = send(kc, "comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}})
    # No handler yet: closed at once (the frontend falls back to comm_info), flag set.
    closed = wait_iopub(kc, comm_message("comm_close", comm_id), "comm_close of the control comm")
    assert closed["parent_header"]["msg_id"] == opened["header"]["msg_id"], closed["parent_header"]
    assert result(kc, "comms.frontendHasWidgets") == "true"
    # A registered handler answers request_states, as the widgets library's will.
    ok(kc, """
    comms.registerTarget("jupyter.widget.control", (comm) => {
      comm.onMessage((m) => {
        if (m.data.method === "request_states") comm.send({ method: "update_states", states: {} });
      });
    });""")
    comm_id = new_id()
    send(kc, "comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}})
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
    answer = wait_iopub(kc, comm_message("comm_msg", comm_id, method="update_states"), "update_states")
    assert answer["content"]["data"]["states"] == {}, answer["content"]
    assert comm_info(kc, "jupyter.widget.control") == {comm_id: {"target_name": "jupyter.widget.control"}}
    send(kc, "comm_close", {"comm_id": comm_id, "data": {}})
    ok(kc, "comms.unregisterTarget('jupyter.widget.control')")


@check
def frontend_opens_messages_both_ways_with_buffers_and_closes(kc, km):
    ok(kc, ECHO_TARGET)
    comm_id = new_id()
    opened = send(kc, "comm_open", {"comm_id": comm_id, "target_name": "echo", "data": {"hello": 1}})
    answer = wait_iopub(kc, comm_message("comm_msg", comm_id), "the target handler's comm_msg")
    assert answer["content"]["data"] == {"opened": {"hello": 1}, "target": "echo", "id": comm_id}, answer["content"]
    # Between cells, a handler's message has the frontend message as parent.
    assert answer["parent_header"]["msg_id"] == opened["header"]["msg_id"], answer["parent_header"]
    assert comm_info(kc).get(comm_id) == {"target_name": "echo"}
    # With buffers: they arrive, and the answer's come back reversed as frames.
    sent = send(kc, "comm_msg", {"comm_id": comm_id, "data": {"n": 2}}, buffers=[b"\x00\x01\x02", b"abcd"])
    answer = wait_iopub(kc, comm_message("comm_msg", comm_id), "the echo with buffers")
    # Between busy and idle of the frontend's message, as ipykernel does.
    wait_idle(kc, sent["header"]["msg_id"])
    assert answer["content"]["data"]["echo"] == {"n": 2}, answer["content"]
    assert answer["content"]["data"]["sizes"] == [3, 4], answer["content"]
    assert [bytes(b) for b in answer["buffers"]] == [b"\x02\x01\x00", b"dcba"], answer["buffers"]
    assert answer["parent_header"]["msg_id"] == sent["header"]["msg_id"]
    # Without buffers, with metadata.
    kc.session.send(kc.shell_channel.socket, "comm_msg", {"comm_id": comm_id, "data": {"n": 3}},
                    metadata={"version": "2.1.0"})
    answer = wait_iopub(kc, comm_message("comm_msg", comm_id), "the echo without buffers")
    assert answer["content"]["data"]["sizes"] == [] and not answer["buffers"], answer
    assert answer["content"]["data"]["meta"] == {"version": "2.1.0"}, answer["content"]
    assert result(kc, "JSON.stringify(echoLog)") == "'[{\"n\":2},{\"n\":3}]'", result(kc, "echoLog")
    # The frontend closes it: onClose sees its data; no comm_close comes back.
    send(kc, "comm_close", {"comm_id": comm_id, "data": {"bye": True}})
    assert result(kc, "JSON.stringify(closedWith)") == "'{\"bye\":true}'"
    assert comm_id not in comm_info(kc)


@check
def kernel_opens_messages_both_ways_with_buffers_and_closes(kc, km):
    reply, messages = execute_messages(kc, """
    globalThis.fromFrontend = [];
    const k = comms.open("from.kernel", { n: 1 }, { metadata: { version: "2.1.0" }, buffers: [new Uint8Array([9, 8, 7])] });
    k.onMessage((m) => { fromFrontend.push({ data: m.data, bytes: m.buffers.map((b) => [...b]) }); });
    k.send({ plain: true });
    k.send({ withBuffer: true }, { buffers: [new Float32Array([1.5]), new Uint8Array(0)] });
    k.id""")
    assert reply["status"] == "ok", reply
    comm_id = next(m["content"]["data"]["text/plain"] for m in messages if m["msg_type"] == "execute_result").strip("'\"")
    opens = [m for m in messages if m["msg_type"] == "comm_open"]
    assert len(opens) == 1, [m["msg_type"] for m in messages]
    opened = opens[0]
    assert opened["content"] == {"comm_id": comm_id, "target_name": "from.kernel", "data": {"n": 1}}, opened["content"]
    assert opened["metadata"] == {"version": "2.1.0"} and [bytes(b) for b in opened["buffers"]] == [b"\x09\x08\x07"]
    sends = [m for m in messages if m["msg_type"] == "comm_msg"]
    assert [m["content"]["data"] for m in sends] == [{"plain": True}, {"withBuffer": True}], sends
    assert [bytes(b) for b in sends[1]["buffers"]] == [b"\x00\x00\xc0\x3f", b""], sends[1]["buffers"]
    assert not sends[0]["buffers"]
    # The cell's messages have its execute_request as parent, in order before idle.
    assert all(m["parent_header"]["msg_id"] == messages[0]["parent_header"]["msg_id"] for m in opens + sends)
    assert comm_info(kc, "from.kernel") == {comm_id: {"target_name": "from.kernel"}}
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {"to": "kernel"}}, buffers=[b"xy"])
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {"plain": 1}})
    assert result(kc, "JSON.stringify(fromFrontend)") == \
        "'[{\"data\":{\"to\":\"kernel\"},\"bytes\":[[120,121]]},{\"data\":{\"plain\":1},\"bytes\":[]}]'", \
        result(kc, "fromFrontend")
    messages = ok(kc, "k.close({ done: true }); k.close(); k.closed")
    closes = [m for m in messages if m["msg_type"] == "comm_close"]
    assert [m["content"] for m in closes] == [{"comm_id": comm_id, "data": {"done": True}}], closes
    reply, _ = execute_messages(kc, "k.send({ late: true })")
    assert reply["status"] == "error" and "is closed" in reply["evalue"], reply
    assert comm_id not in comm_info(kc)


@check
def large_buffers_cross_both_ways(kc, km):
    size = 8 * 1024 * 1024
    reply, messages = execute_messages(kc, f"""
    globalThis.bigBack = null;
    const big = comms.open("big", {{}}, {{ buffers: [new Uint8Array({size}).map((_, i) => i % 251)] }});
    big.onMessage((m) => {{ bigBack = m.buffers[0]; }});
    big.id""")
    assert reply["status"] == "ok", reply
    opened = next(m for m in messages if m["msg_type"] == "comm_open")
    comm_id = opened["content"]["comm_id"]
    data = bytes(opened["buffers"][0])
    assert len(data) == size and data[:3] == b"\x00\x01\x02" and data[251] == 0 and data[-1] == (size - 1) % 251
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {}}, buffers=[data[::-1]])
    back = result(kc, "[bigBack.length, bigBack[0], bigBack.at(-1)].join()")
    assert back == f'"{size},{(size - 1) % 251},0"', back
    ok(kc, "big.close(); bigBack = null;")


@check
def comm_info_filters_by_target(kc, km):
    messages = ok(kc, """
    const a1 = comms.open("alpha"), a2 = comms.open("alpha"), b1 = comms.open("beta");
    [a1.id, a2.id, b1.id].join(" ")""")
    a1, a2, b1 = next(m for m in messages if m["msg_type"] == "execute_result")["content"]["data"]["text/plain"] \
        .strip("'\"").split()
    everything = comm_info(kc)
    assert {a1, a2, b1} <= set(everything), everything
    assert comm_info(kc, "alpha") == {a1: {"target_name": "alpha"}, a2: {"target_name": "alpha"}}
    assert comm_info(kc, "beta") == {b1: {"target_name": "beta"}}
    assert comm_info(kc, "gamma") == {}
    ok(kc, "a1.close(); a2.close(); b1.close();")
    assert comm_info(kc, "alpha") == {}


@check
def a_message_reaches_a_cell_while_it_runs(kc, km):
    ok(kc, """
    globalThis.stopLoop = false;
    comms.registerTarget("stopper", (comm) => {
      comm.onMessage((m) => { stopLoop = m.data.stop === true; comm.send({ seen: m.data, during: comms.currentMessageId ?? null }); });
    });""")
    comm_id = new_id()
    send(kc, "comm_open", {"comm_id": comm_id, "target_name": "stopper", "data": {}})
    running = kc.execute("""
    console.log("looping");
    let rounds = 0;
    const seenId = comms.currentMessageId;
    while (!stopLoop) { rounds++; await new Promise((r) => setTimeout(r, 10)); }
    `stopped after ${rounds > 0 ? "some" : "no"} rounds, id ${seenId}`""")
    wait_iopub(kc, lambda m: m["msg_type"] == "stream" and "looping" in m["content"]["text"]
               and m["parent_header"].get("msg_id") == running, "the cell's first line")
    # comm_info is answered while the cell runs, too.
    assert comm_info(kc, "stopper") == {comm_id: {"target_name": "stopper"}}
    # A message that leaves the cell running: it has its busy and idle
    # (ipywidgets sends a widget's next update on that idle), then the kernel
    # says busy again, for the cell.
    nudge = send(kc, "comm_msg", {"comm_id": comm_id, "data": {"stop": False}})["header"]["msg_id"]
    statuses = []

    def after_idle():
        return statuses[statuses.index((nudge, "idle")) + 1:] if (nudge, "idle") in statuses else []
    while (running, "busy") not in after_idle():
        msg = wait_iopub(kc, lambda m: m["msg_type"] == "status", "statuses after the nudge")
        statuses.append((msg["parent_header"].get("msg_id"), msg["content"]["execution_state"]))
    assert statuses.index((nudge, "busy")) < statuses.index((nudge, "idle")), statuses
    sent = send(kc, "comm_msg", {"comm_id": comm_id, "data": {"stop": True}})
    seen = []
    reply_result = None
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        seen.append(msg)
        if msg["msg_type"] == "execute_result" and msg["parent_header"].get("msg_id") == running:
            reply_result = msg["content"]["data"]["text/plain"]
        if msg["msg_type"] == "status" and msg["parent_header"].get("msg_id") == running \
                and msg["content"]["execution_state"] == "idle":
            break
    assert shell_reply(kc, running)["content"]["status"] == "ok"
    assert reply_result == f'"stopped after some rounds, id {running}"', reply_result
    answers = [m for m in seen if comm_message("comm_msg", comm_id)(m)]
    assert answers and answers[-1]["content"]["data"] == {"seen": {"stop": True}, "during": running}, answers
    # A handler's answer has the frontend's message as parent, also while a
    # cell runs (ipywidgets matches echo_update to its update so).
    assert answers[-1]["parent_header"]["msg_id"] == sent["header"]["msg_id"], answers[-1]["parent_header"]
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {"stop": False}})
    answer = wait_iopub(kc, comm_message("comm_msg", comm_id), "the answer between cells")
    assert answer["content"]["data"]["during"] is None, "currentMessageId is undefined between cells"


def round_trips(kc, comm_id, count):
    """Median seconds from sending a comm_msg to seeing the handler's answer."""
    times = []
    for n in range(count):
        started = time.perf_counter()
        send(kc, "comm_msg", {"comm_id": comm_id, "data": {"n": n}})
        wait_iopub(kc, lambda m: comm_message("comm_msg", comm_id)(m) and m["content"]["data"]["echo"] == {"n": n},
                   f"echo {n}")
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


@check
def round_trip_figures(kc, km):
    # Figures for docs/kernel.md, printed, not asserted (CI is loaded).
    comm_id = new_id()
    send(kc, "comm_open", {"comm_id": comm_id, "target_name": "echo", "data": {}})
    wait_iopub(kc, comm_message("comm_msg", comm_id), "the echo comm's greeting")
    idle = round_trips(kc, comm_id, 30)
    running = kc.execute("""
    console.log("busy");
    globalThis.spin = true;
    while (spin) await new Promise((r) => setTimeout(r, 1));""")
    wait_iopub(kc, lambda m: m["msg_type"] == "stream" and "busy" in m["content"]["text"], "the busy cell")
    busy = round_trips(kc, comm_id, 30)
    send(kc, "comm_close", {"comm_id": comm_id, "data": {}})
    kc.session.send(kc.control_channel.socket, "interrupt_request", {})
    shell_reply(kc, running)
    print(f"info comm_msg round trip, median of 30: {idle * 1000:.1f} ms between cells, "
          f"{busy * 1000:.1f} ms while a cell awaits in a loop", flush=True)


@check
def unknown_target_is_closed(kc, km):
    comm_id = new_id()
    opened = send(kc, "comm_open", {"comm_id": comm_id, "target_name": "nobody", "data": {}})
    closed = wait_iopub(kc, comm_message("comm_close", comm_id), "comm_close for an unknown target")
    assert closed["parent_header"]["msg_id"] == opened["header"]["msg_id"]
    wait_log(f"no comm target named \"nobody\": closed comm {comm_id}")
    assert comm_id not in comm_info(kc)


@check
def bad_input_is_reported_and_survived(kc, km):
    ok(kc, "const survivor = 41;")
    ghost = new_id()
    send(kc, "comm_msg", {"comm_id": ghost, "data": {}})
    wait_log(f"comm_msg for unknown comm id \"{ghost}\"")
    send(kc, "comm_msg", {"data": {"x": 1}})
    wait_log("comm_msg without a comm_id")
    send(kc, "comm_msg", {"comm_id": ghost})
    wait_log(f"comm_msg for comm {ghost} whose data is not an object")
    send(kc, "comm_msg", {"comm_id": ghost, "data": [1, 2]})
    send(kc, "comm_open", {"comm_id": new_id(), "data": {}})
    wait_log("without a target_name")
    send(kc, "comm_close", {})
    wait_log("comm_close without a comm_id")
    # Handlers that throw: on the running cell's stderr, else in the log.
    ok(kc, """
    comms.registerTarget("thrower", (comm, open) => {
      if (open.data.failOpen) throw new Error("open handler failed");
      comm.onMessage((m) => { if (m.data.sync) throw new Error("sync boom"); return Promise.reject(new Error("async boom")); });
      comm.onClose(() => { throw new Error("close boom"); });
    });""")
    failing_open = new_id()
    send(kc, "comm_open", {"comm_id": failing_open, "target_name": "thrower", "data": {"failOpen": True}})
    wait_iopub(kc, comm_message("comm_close", failing_open), "comm_close after a failing target handler")
    wait_log("open handler failed")
    comm_id = new_id()
    send(kc, "comm_open", {"comm_id": comm_id, "target_name": "thrower", "data": {}})
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {"sync": True}})
    wait_log("sync boom")
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {}})
    wait_log("async boom")
    running = kc.execute("""
    console.log("waiting");
    globalThis.release = false;
    while (!release) await new Promise((r) => setTimeout(r, 10));
    "released" """)
    wait_iopub(kc, lambda m: m["msg_type"] == "stream" and "waiting" in m["content"]["text"], "the cell's first line")
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {"sync": True}})
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {}})
    stderr = ""
    deadline = time.time() + TIMEOUT
    while ("sync boom" not in stderr or "async boom" not in stderr) and time.time() < deadline:
        msg = wait_iopub(kc, lambda m: m["msg_type"] == "stream" and m["parent_header"].get("msg_id") == running,
                         "the handlers' errors on the cell's stderr")
        if msg["content"]["name"] == "stderr":
            stderr += msg["content"]["text"]
    assert "Error in a message handler of comm" in stderr and "async boom" in stderr, stderr
    kc.session.send(kc.control_channel.socket, "interrupt_request", {})
    reply = shell_reply(kc, running)["content"]
    assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
    send(kc, "comm_close", {"comm_id": comm_id, "data": {}})
    wait_log("Error in a close handler of comm")
    assert result(kc, "survivor + 1") == "42", "the executor survived with its state"


@check
def a_frontend_that_disconnects_mid_run(kc, km):
    ok(kc, """
    globalThis.ticks = 0;
    globalThis.tickStop = false;
    comms.registerTarget("ticker", (comm) => {
      comm.onMessage((m) => { tickStop = m.data.stop === true; });
    });""")
    # A session of its own: jupyter_client routes shell replies by the session id.
    other = km.client(session=Session(key=km.session.key, signature_scheme=km.session.signature_scheme))
    other.start_channels()
    try:
        other.wait_for_ready(timeout=TIMEOUT)
        comm_id = new_id()
        send(other, "comm_open", {"comm_id": comm_id, "target_name": "ticker", "data": {}})
        running = other.execute("""
        const ticker = comms.open("ticks");
        while (!tickStop) { ticks++; ticker.send({ tick: ticks }); await new Promise((r) => setTimeout(r, 10)); }
        ticker.close();
        ticks""")
        wait_iopub(other, lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("tick") == 3,
                   "ticks from the running cell")
    finally:
        other.stop_channels()
    # The frontend that ran the cell is gone; another stops it through the same comm.
    wait_iopub(kc, lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("tick", 0) > 3,
               "ticks after the frontend left")
    send(kc, "comm_msg", {"comm_id": comm_id, "data": {"stop": True}})
    wait_idle(kc, running)
    assert int(result(kc, "ticks")) > 3
    assert result(kc, "tickStop") == "true"


@check
def executor_and_kernel_restarts_clear_comms(kc, km):
    messages = ok(kc, "const survivorComm = comms.open('doomed'); survivorComm.id")
    comm_id = next(m for m in messages if m["msg_type"] == "execute_result")["content"]["data"]["text/plain"].strip("'\"")
    assert comm_id in comm_info(kc)
    running = kc.execute("console.log('spinning'); while (true) {}")
    wait_iopub(kc, lambda m: m["msg_type"] == "stream" and "spinning" in m["content"]["text"], "the spinning cell")
    kc.session.send(kc.control_channel.socket, "interrupt_request", {})
    reply = shell_reply(kc, running)["content"]
    assert reply["status"] == "error" and reply["ename"] == "ExecutorDied", reply
    assert comm_info(kc) == {}, comm_info(kc)
    # The fresh executor still knows the frontend has widgets.
    assert result(kc, "comms.frontendHasWidgets") == "true"
    ok(kc, "globalThis.left = comms.open('left');")
    assert comm_info(kc, "left")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=TIMEOUT)
    assert comm_info(kc) == {}
    assert result(kc, "comms.frontendHasWidgets") == "false"


def main():
    only = set(sys.argv[2:])
    failures = run_in_kernel(check, NOTEBOOK_DIR, ready_timeout=TIMEOUT, only=only, traceback_limit=3)
    finish(len(check), failures, only)


if __name__ == "__main__":
    main()
