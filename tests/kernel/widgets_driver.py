"""Drives widgets in the project kernel through jupyter_client, as a widget manager would, and prints
what it saw as one JSON object.

Run by tests/kernel/widgets.integration.test.ts with JUPYTER_PATH set to the project-local kernelspec,
from a folder where `llm-price-lab` resolves. Argument: a file to capture the kernel's stderr.
"""
import json
import sys
import time
from queue import Empty

from driver_common import iopub_until_idle, reply_to, start


def keep(msg):
    return {
        "msg_type": msg["msg_type"],
        "parent": msg["parent_header"].get("msg_id"),
        "content": msg["content"],
        "metadata": msg["metadata"],
    }


def execute(kc, code):
    msg_id = kc.execute(code)
    iopub = iopub_until_idle(kc, msg_id, keep=keep)
    return {"msg_id": msg_id, "reply": reply_to(kc.get_shell_msg, msg_id)["content"], "iopub": iopub}


def comm_msg(kc, comm_id, data):
    """Sends a comm_msg as a widget manager does; returns its msg_id and its IOPub messages."""
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
    kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    return {"msg_id": msg_id, "iopub": iopub_until_idle(kc, msg_id, keep=keep)}


def iopub_for(kc, seconds):
    """Every IOPub message for `seconds`, whatever its parent."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            seen.append(keep(kc.get_iopub_msg(timeout=0.2)))
        except Empty:
            pass
    return seen


def main():
    result = {}
    log = open(sys.argv[1], "w")
    km, kc = start(log)
    try:
        result["define"] = execute(
            kc,
            "import { floatSlider, interact } from 'llm-price-lab/widgets';\n"
            "const rent = floatSlider({ value: 2, min: 1, max: 4, description: 'rent' });\n"
            "const shown = await interact({ rent }, ({ rent }) => `cost ${rent * 10}`, { debounceMs: 50 });",
        )
        opens = [m for m in result["define"]["iopub"] if m["msg_type"] == "comm_open"]
        by_model = {m["content"]["data"]["state"]["_model_name"]: m["content"]["comm_id"] for m in opens}
        if "FloatSliderModel" not in by_model:
            raise RuntimeError(f"the cell opened no slider: {json.dumps(result['define'])[:3000]}")
        result["slider_id"] = by_model["FloatSliderModel"]
        result["output_id"] = by_model["OutputModel"]
        result["update"] = comm_msg(kc, result["slider_id"], {"method": "update", "state": {"value": 3}, "buffer_paths": []})
        result["after_update"] = iopub_for(kc, 3)
        result["request_state"] = comm_msg(kc, result["slider_id"], {"method": "request_state"})
        result["value"] = execute(kc, "rent.value")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps(result))


main()
