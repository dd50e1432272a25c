"""Drives comms in the project kernel through jupyter_client and prints what it saw as one JSON object.

Run by tests/kernel/comms.integration.test.ts with JUPYTER_PATH set to the project-local kernelspec,
from a folder where `llm-price-lab` resolves. Argument: a file to capture the kernel's stderr.
"""
import json
import sys

from driver_common import iopub_until_idle, reply_to, start


def send(kc, msg_type, content):
    """Sends a shell message that has no reply; returns its IOPub messages."""
    msg = kc.session.msg(msg_type, content)
    kc.shell_channel.send(msg)
    return until_idle(kc, msg["header"]["msg_id"])


def until_idle(kc, msg_id):
    return iopub_until_idle(
        kc,
        msg_id,
        keep=lambda msg: {
            "msg_type": msg["msg_type"],
            "content": msg["content"],
            "metadata": msg["metadata"],
            "buffers": [list(bytes(b)) for b in msg.get("buffers", [])],
        },
    )


def execute(kc, code):
    msg_id = kc.execute(code)
    iopub = until_idle(kc, msg_id)
    return {"reply": reply_to(kc.get_shell_msg, msg_id)["content"], "iopub": iopub}


def comm_info(kc, target_name=None):
    msg_id = kc.comm_info(target_name) if target_name else kc.comm_info()
    reply = reply_to(kc.get_shell_msg, msg_id)
    until_idle(kc, msg_id)
    return reply["content"]


def main():
    result = {}
    log = open(sys.argv[1], "w")
    km, kc = start(log)
    try:
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
        result["from_kernel"] = execute(kc, "const toFront = openComm('front.end', { x: 1 }, { version: '2.1.0' });\n"
            "toFront.send({ y: 2 }, {}, [new Uint8Array([1, 2, 3])]);\ntoFront.close();\ntoFront.closed")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        log.close()
    print(json.dumps(result))


main()
