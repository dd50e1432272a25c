"""Drives input() in the project kernel through jupyter_client and prints what it saw as one JSON object.

Run by tests/kernel/stdin.integration.test.ts with JUPYTER_PATH set to the project-local kernelspec.
Argument: a file to capture the kernel's stderr.
"""
import json
import sys

from driver_common import TIMEOUT, iopub_until_idle, raw, reply_to, start


def answered(kc, code, answer):
    """Runs `code` allowing stdin, answers its input request with `answer`."""
    msg_id = kc.execute(code, allow_stdin=True)
    request = raw(kc.get_stdin_msg(timeout=TIMEOUT))
    kc.input(answer)
    return {"request_id": msg_id, "input_request": request, "reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}


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
        msg_id = kc.execute("await input('wait for ever: ')", allow_stdin=True)
        result["interrupted_request"] = raw(kc.get_stdin_msg(timeout=TIMEOUT))
        interrupt = kc.session.msg("interrupt_request", {})
        kc.control_channel.send(interrupt)
        reply_to(kc.get_control_msg, interrupt["header"]["msg_id"])
        result["interrupted"] = {"reply": reply_to(kc.get_shell_msg, msg_id), "iopub": iopub_until_idle(kc, msg_id)}
        result["after"] = answered(kc, "await input('again: ')", "still here")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        log.close()
    print(json.dumps(result, default=str))


main()
