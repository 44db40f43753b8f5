"""End-to-end checks of the widget protocol (ipywidgets 8, version 2.1.0) in the
deno-webgpu kernel through Debian's jupyter_client, playing the frontend.

Run by widgets_protocol_test.ts like comms_e2e.py (whose helpers it uses):
the notebook folder as argv[1], the kernel log in $DENO_WEBGPU_TEST_KERNEL_LOG.
Prints "ok NAME" / "FAIL NAME: why" per check and exits non-zero on a failure.
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from _e2e import Checks, execute_messages, finish, run_in_kernel  # noqa: E402
from comms_e2e import TIMEOUT, comm_message, new_id, ok, result, send, wait_iopub  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
REFERENCE = json.loads((ROOT / "tests/lib/widgets/fixtures/ipywidgets_8_state.json").read_text())
IMPORT = f'import {{ widgets }} from "{(ROOT / "lib/mod.ts").as_uri()}";'
check = Checks()


def opens_of(messages):
    return {m["content"]["comm_id"]: m for m in messages if m["msg_type"] == "comm_open"}


@check
def widget_opens_a_comm_and_displays_as_a_widget_view(kc):
    messages = ok(kc, IMPORT + "\nglobalThis.slider = new widgets.IntSlider({ value: 3, max: 10 }); slider")
    opens = opens_of(messages)
    assert len(opens) == 3, [m["msg_type"] for m in messages]
    for msg in opens.values():
        assert msg["content"]["target_name"] == "jupyter.widget", msg["content"]
        assert msg["metadata"].get("version") == "2.1.0", msg["metadata"]
    [shown] = [m for m in messages if m["msg_type"] == "execute_result"]
    view = shown["content"]["data"]["application/vnd.jupyter.widget-view+json"]
    assert view["version_major"] == 2 and view["version_minor"] == 0, view
    assert view["model_id"] in opens, (view, list(opens))
    assert shown["content"]["data"]["text/plain"] == "IntSlider(value=3)"
    state = opens[view["model_id"]]["content"]["data"]["state"]
    assert sorted(state) == sorted(REFERENCE["IntSlider"]), sorted(set(state) ^ set(REFERENCE["IntSlider"]))
    assert state["_model_module_version"] == "2.0.0" and state["_model_name"] == "IntSliderModel"
    layout = state["layout"].removeprefix("IPY_MODEL_")
    assert opens[layout]["content"]["data"]["state"]["_model_name"] == "LayoutModel"
    globals()["slider_id"] = view["model_id"]


@check
def a_frontend_update_is_echoed_and_read_by_the_next_cell(kc):
    slider = globals()["slider_id"]
    send(kc, "comm_msg", {"comm_id": slider, "data": {"method": "update", "state": {"value": 7}, "buffer_paths": []}})
    echo = wait_iopub(kc, comm_message("comm_msg", slider, method="echo_update"), "echo_update")
    assert echo["content"]["data"]["state"] == {"value": 7}, echo["content"]
    assert result(kc, "slider.value") == "7"


@check
def malformed_state_is_reported_and_the_kernel_keeps_its_value(kc):
    slider = globals()["slider_id"]
    send(kc, "comm_msg", {"comm_id": slider, "data": {"method": "update", "state": {"value": "many"}}})
    back = wait_iopub(kc, comm_message("comm_msg", slider, method="update"), "the update that sets it back")
    assert back["content"]["data"]["state"] == {"value": 7}, back["content"]
    send(kc, "comm_msg", {"comm_id": slider, "data": {"method": "update", "state": 12}})
    assert result(kc, "slider.value") == "7"


@check
def the_control_comm_answers_request_states(kc):
    control = new_id()
    send(kc, "comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {},
                           "metadata": {"version": "2.1.0"}})
    send(kc, "comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
    reply = wait_iopub(kc, comm_message("comm_msg", control, method="update_states"), "update_states")
    states = reply["content"]["data"]["states"]
    slider = globals()["slider_id"]
    assert states[slider]["model_name"] == "IntSliderModel", states[slider]
    assert states[slider]["state"]["value"] == 7
    assert result(kc, "comms.frontendHasWidgets") == "true"


@check
def an_image_sends_its_png_as_a_buffer(kc):
    messages = ok(kc, "globalThis.img = new widgets.Image({ value: new Uint8Array([137, 80, 78, 71]) }); img.modelId")
    opens = [m for m in messages if m["msg_type"] == "comm_open"
             and m["content"]["data"]["state"]["_model_name"] == "ImageModel"]
    assert len(opens) == 1
    assert opens[0]["content"]["data"]["buffer_paths"] == [["value"]]
    assert [bytes(b) for b in opens[0]["buffers"]] == [bytes([137, 80, 78, 71])], opens[0]["buffers"]


@check
def a_click_reaches_a_loop_that_awaits_in_a_running_cell(kc):
    messages = ok(kc, "globalThis.button = new widgets.Button({ description: 'Stop' });"
                      " globalThis.clicked = 0; button.onClick(() => { clicked++; }); button")
    [shown] = [m for m in messages if m["msg_type"] == "execute_result"]
    button = shown["content"]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    msg_id = kc.execute("let spins = 0; while (!clicked) { spins++; await new Promise((r) => setTimeout(r, 10)); }"
                        " `stopped after ${spins > 0 ? 'some' : 'no'} spins`")
    wait_iopub(kc, lambda m: m["msg_type"] == "status" and m["content"]["execution_state"] == "busy"
               and m["parent_header"].get("msg_id") == msg_id, "the loop started")
    send(kc, "comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
    done = wait_iopub(kc, lambda m: m["msg_type"] == "execute_result"
                      and m["parent_header"].get("msg_id") == msg_id, "the loop ended")
    assert done["content"]["data"]["text/plain"].strip("\"'") == "stopped after some spins", done["content"]


@check
def a_throwing_click_handler_is_reported_and_the_kernel_lives(kc):
    messages = ok(kc, "globalThis.bad = new widgets.Button({ description: 'bad' });"
                      " bad.onClick(() => { throw new Error('boom'); }); bad")
    [shown] = [m for m in messages if m["msg_type"] == "execute_result"]
    bad = shown["content"]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    send(kc, "comm_msg", {"comm_id": bad, "data": {"method": "custom", "content": {"event": "click"}}})
    reply, _ = execute_messages(kc, "1 + 1", TIMEOUT)
    assert reply["status"] == "ok", reply
    assert result(kc, "2 + 2") == "4"


def main():
    # The checks build on each other's widgets and take the client alone.
    failures = run_in_kernel(check, sys.argv[1], ready_timeout=TIMEOUT, pass_manager=False, drain=False,
                             traceback_limit=3)
    finish(len(check), failures)


if __name__ == "__main__":
    main()
