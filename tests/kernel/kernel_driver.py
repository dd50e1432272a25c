"""Drives the project kernel through jupyter_client and prints what it saw as one JSON object.

Run by tests/kernel/integration.test.ts with JUPYTER_PATH set to the project-local kernelspec and
the working directory set to a notebook folder. Argument: a file to capture the kernel's stderr.
"""
import json
import signal
import sys
import time
from queue import Empty

from jupyter_client.manager import KernelManager

TIMEOUT = 60
result = {}


def collect(kc, msg_id, channel="shell"):
    """Reply and iopub messages of one request (until its idle status)."""
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        outputs.append({"msg_type": msg["msg_type"], "content": msg["content"]})
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    get = kc.get_shell_msg if channel == "shell" else kc.get_control_msg
    while True:
        reply = get(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    return {"reply_type": reply["header"]["msg_type"], "reply": reply["content"], "iopub": outputs}


def execute(kc, code, **options):
    return collect(kc, kc.execute(code, **options))


def start(stderr):
    km = KernelManager(kernel_name="llm-price-lab")
    started = time.monotonic()
    km.start_kernel(stderr=stderr)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc, time.monotonic() - started


def wait_exit(km):
    for _ in range(200):
        if not km.is_alive():
            return km.provisioner.process.returncode if km.provisioner and km.provisioner.process else None
        time.sleep(0.05)
    return "still running"


def main():
    log = open(sys.argv[1], "w")
    km, kc, ready = start(log)
    result["ready_seconds"] = ready
    try:
        kc.kernel_info()
        result["kernel_info"] = kc.get_shell_msg(timeout=TIMEOUT)["content"]
        msg = kc.session.send(kc.control_channel.socket, "kernel_info_request", {})
        result["control_kernel_info"] = kc.get_control_msg(timeout=TIMEOUT)["header"]["msg_type"]

        result["import"] = execute(kc, "import { display, newDisplay, clearOutput, MIME_BUNDLE, type MimeBundle } from 'llm-price-lab/display';")
        result["typed_import"] = execute(kc, "display(42);")
        result["value"] = execute(kc, "const prices = { usdPerMTok: [60, 2.5] };\nprices")
        result["string"] = execute(kc, "'abc'")
        result["silent"] = execute(kc, "40 + 2", silent=True)
        result["rich"] = execute(
            kc,
            "const chart = {\n  [MIME_BUNDLE](): MimeBundle {\n    return { 'text/html': '<b>chart</b>', 'application/vnd.plotly.v1+json': { data: [] } };\n  },\n};\nchart",
        )
        result["runtime_error"] = execute(
            kc, "function check(n: number): number {\n  if (n < 0) {\n    throw new RangeError('negative: ' + n);\n  }\n  return n;\n}\ncheck(-1);"
        )
        result["compile_error"] = execute(kc, "const ok = 1;\n\nconst bad: number = 'x';")
        result["display"] = execute(
            kc,
            "display({ 'text/plain': 'p', 'text/html': '<i>p</i>' }, { metadata: { 'text/html': { isolated: true } } });\n"
            "const handle = newDisplay({ 'text/plain': 'step 1' });\nhandle.update({ 'text/plain': 'step 2', 'text/html': '<p>2</p>' });\n"
            "clearOutput(true);",
        )
        result["update_later"] = execute(kc, "handle.update({ 'text/plain': 'step 3' });")
        result["streams"] = execute(
            kc,
            "console.log('out');\nconsole.error('err');\nprocess.stdout.write('raw');\n"
            "await new Promise<void>((resolve) => setTimeout(() => { console.log('from a timer'); display({ 'text/plain': 'late display' }); resolve(); }, 200));",
        )

        # stop_on_error: requests queued behind an error are aborted, later ones run. The failing cell
        # waits a second first, so that the two behind it are surely queued when it fails (on a loaded
        # machine they could otherwise arrive after it, and rightly run).
        ids = [
            kc.execute("await new Promise((resolve) => setTimeout(resolve, 1000));\nthrow new Error('first');"),
            kc.execute("globalThis.queuedRan = true;"),
            kc.execute("'after'"),
        ]
        replies = {}
        while len(replies) < 3:
            msg = kc.get_shell_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") in ids:
                replies[msg["parent_header"]["msg_id"]] = msg["content"]["status"]
        result["stop_on_error"] = [replies[i] for i in ids]
        result["after_abort"] = execute(kc, "typeof (globalThis as Record<string, unknown>).queuedRan")
        ids = [kc.execute("throw new Error('tolerated');", stop_on_error=False), kc.execute("'still runs'")]
        replies = {}
        while len(replies) < 2:
            msg = kc.get_shell_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") in ids:
                replies[msg["parent_header"]["msg_id"]] = msg["content"]["status"]
        result["no_stop_on_error"] = [replies[i] for i in ids]

        result["is_complete"] = {
            code: collect(kc, kc.is_complete(code))["reply"] for code in ["const a = 1;", "function f() {", "const = ;"]
        }
        execute(kc, "const priceUsdPerMTok = 2.5;")
        code = "priceUsd"
        result["complete"] = collect(kc, kc.complete(code, len(code)))
        code = "priceUsdPerMTok"
        result["inspect"] = collect(kc, kc.inspect(code, 3))
        result["history"] = collect(kc, kc.history(hist_access_type="tail", n=3, output=False, raw=True))
        result["comm_info"] = collect(kc, kc.comm_info())

        # A message signed with another key is dropped: never executed, never answered.
        good_key = kc.session.key
        kc.session.key = b"not-the-key"
        forged = kc.execute("(globalThis as Record<string, unknown>).forged = true;")
        kc.session.key = good_key
        time.sleep(1)
        answered = False
        try:
            while True:
                msg = kc.get_shell_msg(timeout=0.5)
                answered = answered or msg["parent_header"].get("msg_id") == forged
        except Empty:
            pass
        result["forged_answered"] = answered
        result["forged_ran"] = execute(kc, "typeof (globalThis as Record<string, unknown>).forged")

        # The same signed message sent twice: the second is a replay, dropped and never executed.
        replayed = kc.session.msg("execute_request", {
            "code": "(globalThis as Record<string, any>).replays = ((globalThis as Record<string, any>).replays ?? 0) + 1;",
            "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
        })
        kc.session.send(kc.shell_channel.socket, replayed)
        kc.session.send(kc.shell_channel.socket, replayed)
        time.sleep(1)
        replies = 0
        try:
            while True:
                msg = kc.get_shell_msg(timeout=0.5)
                replies += msg["parent_header"].get("msg_id") == replayed["header"]["msg_id"]
        except Empty:
            pass
        result["replay_replies"] = replies
        result["replay_runs"] = execute(kc, "(globalThis as Record<string, any>).replays")

        # Errors no await chain catches: during a cell they are its error; between cells, only logged.
        result["late_throw"] = execute(
            kc, "setTimeout(() => { throw new RangeError('from a timer'); }, 50);\nawait new Promise((resolve) => setTimeout(resolve, 1000));"
        )
        result["idle_rejection_set"] = execute(kc, "setTimeout(() => { void Promise.reject(new Error('idle rejection')); }, 300);")
        time.sleep(1.5)
        result["after_idle_rejection"] = execute(kc, "'still fine'")

        # Interrupts: SIGINT and interrupt_request, of a synchronous loop and of a pending await.
        # A SIGINT that arrives while the cell is still compiling (a loaded machine) is lost, as in
        # any kernel: interrupt again every few seconds until the cell ends.
        def interrupted(code, how):
            msg_id = kc.execute(code)
            sent = 0
            outputs = []
            while True:
                time.sleep(1.5)
                if how == "signal":
                    km.signal_kernel(signal.SIGINT)
                else:
                    kc.session.send(kc.control_channel.socket, "interrupt_request", {})
                sent += 1
                deadline = time.monotonic() + 3
                idle = False
                while not idle and time.monotonic() < deadline:
                    try:
                        msg = kc.get_iopub_msg(timeout=0.5)
                    except Empty:
                        continue
                    if msg["parent_header"].get("msg_id") != msg_id:
                        continue
                    outputs.append({"msg_type": msg["msg_type"], "content": msg["content"]})
                    idle = msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
                if idle or sent >= 10:
                    break
            while True:
                reply = kc.get_shell_msg(timeout=TIMEOUT)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            out = {"reply_type": reply["header"]["msg_type"], "reply": reply["content"], "iopub": outputs}
            if how == "message":
                out["interrupt_reply"] = kc.get_control_msg(timeout=TIMEOUT)["header"]["msg_type"]
                for _ in range(sent - 1):
                    kc.get_control_msg(timeout=TIMEOUT)
            return out

        result["interrupt_loop_signal"] = interrupted("let spins = 0;\nwhile (true) { spins++; }", "signal")
        result["interrupt_loop_message"] = interrupted("let spins2 = 0;\nwhile (true) { spins2++; }", "message")
        result["interrupt_await_signal"] = interrupted("await new Promise(() => {});", "signal")
        result["interrupt_await_message"] = interrupted("await new Promise(() => {});", "message")
        result["alive_after_interrupts"] = execute(kc, "1 + 1")

        # shutdown_request with restart on control: the process ends by itself.
        msg = kc.session.send(kc.control_channel.socket, "shutdown_request", {"restart": True})
        reply = kc.get_control_msg(timeout=TIMEOUT)
        result["shutdown_restart"] = {"reply_type": reply["header"]["msg_type"], "reply": reply["content"], "exit": wait_exit(km)}
        kc.stop_channels()
        km.cleanup_resources()

        # Restarted: a fresh kernel counts from 1 again; then shutdown without restart on shell.
        km, kc, _ = start(log)
        result["after_restart"] = execute(kc, "'fresh'")
        kc.session.send(kc.shell_channel.socket, "shutdown_request", {"restart": False})
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        result["shutdown"] = {"reply_type": reply["header"]["msg_type"], "reply": reply["content"], "exit": wait_exit(km)}
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
        log.close()
    print(json.dumps(result))


main()
