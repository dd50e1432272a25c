"""Starts the project kernel through jupyter_client in the current folder, runs cells, prints JSON.

Argument: a JSON file holding a list of cell sources. Prints a list with, for each cell, its reply
and its iopub outputs. Run by tests with JUPYTER_PATH set to the project-local kernelspec.
"""
import json
import sys

from jupyter_client.manager import KernelManager

TIMEOUT = 120


def run(kc, code):
    msg_id = kc.execute(code)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                break
            continue
        outputs.append({"msg_type": msg["msg_type"], "content": msg["content"]})
    while True:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return {"reply": reply["content"], "iopub": outputs}


def main():
    cells = json.load(open(sys.argv[1]))
    km = KernelManager(kernel_name="llm-price-lab")
    km.start_kernel()
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=TIMEOUT)
        print(json.dumps([run(kc, code) for code in cells]))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


main()
