"""Drives comms in the project kernel through jupyter_client and prints what it saw as one JSON object.

Run by tests/kernel/comms.integration.test.ts with JUPYTER_PATH set to the project-local kernelspec,
from a folder where `llm-price-lab` resolves. Argument: a file to capture the kernel's stderr.
"""
import json
import sys
import time
from queue import Empty

from jupyter_client.manager import KernelManager

TIMEOUT = 60


def until_idle(kc, msg_id):
    """The IOPub messages of one request, through its idle status."""
    seen = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append({"msg_type": msg["msg_type"], "content": msg["content"]})
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return seen
    raise TimeoutError(f"no idle status for {msg_id}")


def send(kc, msg_type, content):
    """Sends a shell message that has no reply; returns its IOPub messages."""
    msg = kc.session.msg(msg_type, content)
    kc.shell_channel.send(msg)
    return until_idle(kc, msg["header"]["msg_id"])


def execute(kc, code):
    msg_id = kc.execute(code)
    iopub = until_idle(kc, msg_id)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    return {"reply": reply["content"], "iopub": iopub}


def comm_info(kc, target_name=None):
    msg_id = kc.comm_info(target_name) if target_name else kc.comm_info()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    until_idle(kc, msg_id)
    return reply["content"]


def main():
    result = {}
    log = open(sys.argv[1], "w")
    km = KernelManager(kernel_name="llm-price-lab")
    km.start_kernel(stderr=log)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=TIMEOUT)
        result["unknown_target"] = send(kc, "comm_open", {"comm_id": "c-unknown", "target_name": "nobody", "data": {}})
        result["register"] = execute(
            kc,
            "import { registerCommTarget, openComm } from 'llm-price-lab/comm';\n"
            "let closedWith: unknown = 'open';\n"
            "registerCommTarget('echo', (comm, open) => {\n"
            "  comm.send({ opened: open.data });\n"
            "  comm.onMessage((m) => comm.send({ echo: m.data }));\n"
            "  comm.onClose((m) => { closedWith = m.data; });\n"
            "});",
        )
        result["open"] = send(kc, "comm_open", {"comm_id": "c-echo", "target_name": "echo", "data": {"hello": 1}})
        result["message"] = send(kc, "comm_msg", {"comm_id": "c-echo", "data": {"value": 42}})
        result["info_all"] = comm_info(kc)
        result["info_echo"] = comm_info(kc, "echo")
        result["info_other"] = comm_info(kc, "other")
        result["close"] = send(kc, "comm_close", {"comm_id": "c-echo", "data": {"bye": True}})
        result["after_close"] = execute(kc, "closedWith")
        result["info_after_close"] = comm_info(kc)
        result["from_kernel"] = execute(kc, "const toFront = openComm('front.end', { x: 1 });\ntoFront.send({ y: 2 });\ntoFront.close();\ntoFront.closed")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        log.close()
    print(json.dumps(result))


main()
