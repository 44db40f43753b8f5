"""What the jupyter_client end-to-end scripts in tests/kernel/ share.

Each *_e2e.py script starts the deno-webgpu kernel through Debian's
jupyter_client, runs its named checks in order and prints one line per check
("ok NAME" or "FAIL NAME: why"), then a summary ("N passed, M failed"); the
Deno tests that run them (through _python.ts) read exactly those lines, so the
format lives here once. Plain python3 and jupyter_client only.
"""
import sys
import time
import traceback

from jupyter_client.manager import KernelManager


def shell_reply(kc, msg_id, timeout=60):
    """The shell reply to msg_id, skipping stale replies (e.g. extra kernel_info
    replies that wait_for_ready's retries leave behind on a loaded machine)."""
    deadline = time.time() + timeout
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def execute_messages(kc, code, timeout=60, **options):
    """Runs code; returns (reply content, [its iopub messages, whole, up to idle]).

    Messages of other requests are skipped, so a check sees only its own
    cell's outputs; options go to kc.execute (stop_on_error, allow_stdin...).
    """
    msg_id = kc.execute(code, **options)
    messages = []
    deadline = time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = shell_reply(kc, msg_id, max(0.1, deadline - time.time()))
    return reply["content"], messages


def drain_iopub(kc):
    """Drops what earlier checks left on iopub, so the next starts clean."""
    while True:
        try:
            kc.get_iopub_msg(timeout=0.05)
        except Exception:
            return


class Checks:
    """Named checks in the order they were declared: `@checks` registers one.

    A check is a function that raises (an AssertionError, mostly) when the
    kernel misbehaves; its function name is the name the output reports.
    """

    def __init__(self):
        self.functions = []

    def __call__(self, function):
        self.functions.append(function)
        return function

    def __len__(self):
        return len(self.functions)

    def run(self, *args, only=(), drain=None, traceback_limit=2):
        """Runs each check with args, printing "ok NAME" or "FAIL NAME: why".

        only: names to run (all when empty); drain: a kernel client whose
        iopub is drained before each check; traceback_limit: how many frames
        the FAIL line shows. Returns the names of the checks that failed.
        """
        failures = []
        for function in self.functions:
            if only and function.__name__ not in only:
                continue
            if drain is not None:
                drain_iopub(drain)
            try:
                function(*args)
                print(f"ok {function.__name__}", flush=True)
            except Exception as error:
                failures.append(function.__name__)
                detail = traceback.format_exc(limit=traceback_limit).strip().replace("\n", " | ")
                print(f"FAIL {function.__name__}: {error!r} {detail}", flush=True)
        return failures


def run_in_kernel(checks, cwd, *, env=None, ready_timeout=60, announce_ready=False, pass_manager=True,
                  drain=True, only=(), traceback_limit=2):
    """Starts a deno-webgpu kernel in cwd, runs checks against it, shuts it down.

    Each check gets (client, manager), or the client alone where pass_manager
    is false. env: the kernel's whole environment (None: inherited);
    announce_ready: print how long the kernel took to answer, as an "info"
    line; drain: empty iopub before each check. Returns the failed names.
    """
    km = KernelManager(kernel_name="deno-webgpu")
    started = time.time()
    km.start_kernel(cwd=cwd, **({} if env is None else {"env": env}))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=ready_timeout)
        if announce_ready:
            print(f"info kernel ready in {time.time() - started:.2f} s", flush=True)
        args = (kc, km) if pass_manager else (kc,)
        return checks.run(*args, only=only, drain=kc if drain else None, traceback_limit=traceback_limit)
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)


def finish(total, failures, only=()):
    """Prints the summary the Deno tests match and exits 1 on any failure.

    With a chosen subset (only) the count would mislead, so it says "done".
    """
    print(f"{total - len(failures)} passed, {len(failures)} failed" if not only else "done", flush=True)
    sys.exit(1 if failures else 0)
