"""Runs the behaviours of the kernel-testbed conformance matrix against the project kernel through
jupyter_client and prints every message it saw, raw (header, parent header, content), as one JSON
object; tests/kernel/testbed.integration.test.ts reads them as a typed client would.

Run with JUPYTER_PATH set to the project-local kernelspec, from a folder where `llm-price-lab`
resolves. Argument: a file to capture the kernel's stderr.
"""
import json
import sys
import time

import zmq
from driver_common import TIMEOUT, interrupt, iopub_until_idle, raw, reply_to, start


def exchange(kc, msg_id, channel="shell"):
    """The request's id, its reply and its IOPub messages."""
    iopub = iopub_until_idle(kc, msg_id)
    get = kc.get_shell_msg if channel == "shell" else kc.get_control_msg
    return {"request_id": msg_id, "reply": reply_to(get, msg_id), "iopub": iopub}


def welcome(connection):
    """A raw subscriber, as a client that knows JEP 65 connects: the first message it gets."""
    context = zmq.Context.instance()
    socket = context.socket(zmq.SUB)
    socket.setsockopt(zmq.SUBSCRIBE, b"")
    socket.connect(f"{connection['transport']}://{connection['ip']}:{connection['iopub_port']}")
    try:
        if not socket.poll(TIMEOUT * 1000):
            return None
        frames = socket.recv_multipart()
        at = frames.index(b"<IDS|MSG>")
        return {"header": json.loads(frames[at + 2]), "parent_header": json.loads(frames[at + 3]), "content": json.loads(frames[at + 5])}
    finally:
        socket.close(linger=0)


def main():
    result = {}
    log = open(sys.argv[1], "w")
    km, kc = start(log)
    try:
        time.sleep(0.5)
        result["heartbeat"] = kc.hb_channel.is_beating()
        result["welcome"] = welcome(km.get_connection_info())
        result["kernel_info"] = exchange(kc, kc.kernel_info())
        result["stdout"] = exchange(kc, kc.execute("console.log('to stdout')"))
        result["stderr"] = exchange(kc, kc.execute("console.error('to stderr')"))
        result["complete"] = exchange(kc, kc.complete("Math.ma", 7))
        result["inspect"] = exchange(kc, kc.inspect("Math.max", 6))
        result["is_complete_complete"] = exchange(kc, kc.is_complete("const a = 1;"))
        result["is_complete_incomplete"] = exchange(kc, kc.is_complete("function f() {"))
        result["history"] = exchange(kc, kc.history(hist_access_type="tail", n=2, output=False, raw=True))
        result["comm_info"] = exchange(kc, kc.comm_info())
        result["error"] = exchange(kc, kc.execute("throw new Error('testbed')"))
        result["display_data"] = exchange(kc, kc.execute("import { display, newDisplay } from 'llm-price-lab/display';\ndisplay({ 'text/plain': 'shown', 'text/html': '<b>shown</b>' });"))
        result["update_display_data"] = exchange(kc, kc.execute("const shown = newDisplay({ 'text/plain': 'v1' });\nshown.update({ 'text/plain': 'v2' });"))
        result["execute_result"] = exchange(kc, kc.execute("6 * 7"))
        result["rich_execute_result"] = exchange(kc, kc.execute("import { MIME_BUNDLE } from 'llm-price-lab/display';\n({ [MIME_BUNDLE]: () => ({ 'text/html': '<i>rich</i>', 'text/plain': 'rich' }) })"))
        # comms: open from the front end to a target a cell registered, message, close.
        result["comm_register"] = exchange(
            kc,
            kc.execute(
                "import { registerCommTarget } from 'llm-price-lab/comm';\n"
                "registerCommTarget('testbed', (comm) => { comm.onMessage((m) => comm.send({ echo: m.data })); });"
            ),
        )
        for step, (msg_type, content) in {
            "comm_open": ("comm_open", {"comm_id": "testbed-comm", "target_name": "testbed", "data": {}}),
            "comm_msg": ("comm_msg", {"comm_id": "testbed-comm", "data": {"n": 1}}),
            "comm_close": ("comm_close", {"comm_id": "testbed-comm", "data": {}}),
        }.items():
            msg = kc.session.msg(msg_type, content)
            kc.shell_channel.send(msg)
            result[step] = {"request_id": msg["header"]["msg_id"], "iopub": iopub_until_idle(kc, msg["header"]["msg_id"])}
        result["comm_info_after"] = exchange(kc, kc.comm_info())
        # stdin: the cell asks, the front end answers (the testbed's own TypeScript snippet: prompt()).
        msg_id = kc.execute("prompt('Enter: ')", allow_stdin=True)
        request = raw(kc.get_stdin_msg(timeout=TIMEOUT))
        kc.input("typed")
        result["stdin"] = {"request_id": msg_id, "input_request": request, "reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}
        # interrupt_request on control while a cell awaits for ever.
        msg_id = kc.execute("await new Promise(() => {});")
        time.sleep(1.0)
        interrupt_id, interrupt_reply = interrupt(kc)
        result["interrupt"] = {"reply": interrupt_reply, "request_id": interrupt_id}
        result["interrupted_cell"] = {"request_id": msg_id, "reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}
        result["counts"] = [exchange(kc, kc.execute("1")) for _ in range(2)]
        shutdown = kc.session.msg("shutdown_request", {"restart": False})
        kc.control_channel.send(shutdown)
        result["shutdown"] = {"request_id": shutdown["header"]["msg_id"], "reply": reply_to(kc.get_control_msg, shutdown["header"]["msg_id"])}
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
        log.close()
    print(json.dumps(result, default=str))


main()
