"""Runs cells with IPython magics through jupyter_client; prints, per cell, the
reply status, stdout, the execute_result's text and the error as JSON lines.
Usage: magics_run.py NOTEBOOK_DIR"""
import json
import sys

from jupyter_client.manager import start_new_kernel

from _e2e import shell_reply

CELLS = [
    "%%time\nconst m = 6 * 7;\nm",
    "m + 1",
    "%time 1 + 1",
    "%pip install numpy",
    "%whatever",
]

km, kc = start_new_kernel(kernel_name="deno-webgpu", cwd=sys.argv[1])
try:
    for code in CELLS:
        msg_id = kc.execute(code)
        stdout, result, error = "", None, None
        while True:
            msg = kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                stdout += content["text"]
            elif kind == "execute_result":
                result = content["data"]["text/plain"]
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                break
        # by its parent: wait_for_ready's retries on a loaded machine leave
        # extra kernel_info replies queued ahead of this one
        reply = shell_reply(kc, msg_id, timeout=30)
        print(json.dumps({"code": code, "status": reply["content"]["status"],
                          "stdout": stdout, "result": result, "error": error}))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
