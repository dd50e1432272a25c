"""Drives input() in the project kernel through jupyter_client and prints what it saw as one JSON object.

Run by tests/kernel/stdin.integration.test.ts with JUPYTER_PATH set to the project-local kernelspec.
Argument: a file to capture the kernel's stderr.
"""
import json
import os
import signal
import sys

from driver_common import TIMEOUT, interrupt, iopub_until_idle, raw, reply_to, start


def answered(kc, code, *answers):
    """Runs `code` allowing stdin, answers its input requests with `answers` in turn."""
    msg_id = kc.execute(code, allow_stdin=True)
    requests = []
    for answer in answers:
        requests.append(raw(kc.get_stdin_msg(timeout=TIMEOUT)))
        kc.input(answer)
    return {"request_id": msg_id, "input_request": requests[0], "input_requests": requests, "reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}


def interrupted_while_asking(kc, code):
    """Runs `code` allowing stdin, interrupts it once it asks; returns (its input request, its reply and iopub)."""
    msg_id = kc.execute(code, allow_stdin=True)
    request = raw(kc.get_stdin_msg(timeout=TIMEOUT))
    interrupt(kc)
    return request, {"reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}


def main():
    result = {}
    log = open(sys.argv[1], "w")
    km, kc = start(log)
    try:
        result["answered"] = answered(kc, "import { input } from 'llm-price-lab/stdin';\nconsole.log('before the prompt');\nconst name = await input('Your name: ');\n`hello ${name}`", "Ada")
        result["password"] = answered(kc, "(await input('Secret: ', { password: true })).length", "s3cret")
        msg_id = kc.execute("await input('never answered here')", allow_stdin=False)
        result["not_allowed"] = {"reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}
        # Interrupted while waiting: the cell ends with the interrupt, the kernel goes on.
        result["interrupted_request"], result["interrupted"] = interrupted_while_asking(kc, "await input('wait for ever: ')")
        result["after"] = answered(kc, "await input('again: ')", "still here")
        # The synchronous prompt(): the cell's thread blocks until the answer.
        result["prompt"] = answered(kc, "console.log('before prompt');\nconst port = prompt('Port?', '8888');\nconst typed = prompt('Host?');\n[port, typed]", "", "")
        result["prompt_typed"] = answered(kc, "prompt('Host?')", "example.org")
        msg_id = kc.execute("prompt('never answered here')", allow_stdin=False)
        result["prompt_not_allowed"] = {"reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}
        result["prompt_interrupted_request"], result["prompt_interrupted"] = interrupted_while_asking(kc, "prompt('blocked for ever: ')")
        result["prompt_after"] = answered(kc, "prompt('again?')", "yes")
        # A SIGINT to the kernel's process (as in signal mode) wakes the blocked thread too.
        msg_id = kc.execute("prompt('blocked until a signal: ')", allow_stdin=True)
        result["prompt_signalled_request"] = raw(kc.get_stdin_msg(timeout=TIMEOUT))
        os.kill(km.provisioner.process.pid, signal.SIGINT)
        result["prompt_signalled"] = {"reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}
        result["prompt_after_signal"] = answered(kc, "prompt('and again?')", "still")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        log.close()
    print(json.dumps(result, default=str))


main()
