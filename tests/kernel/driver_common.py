"""What the jupyter_client drivers of tests/kernel share: starting the kernel, and a request's
IOPub messages and reply."""
import time
from queue import Empty

from jupyter_client.manager import KernelManager

TIMEOUT = 60


def raw(msg):
    """A message as the TypeScript tests read it."""
    return {"header": msg["header"], "parent_header": msg["parent_header"], "content": msg["content"], "metadata": msg.get("metadata", {})}


def start(log):
    """The project kernel from its kernelspec, its stderr into `log`; returns (manager, client)."""
    km = KernelManager(kernel_name="llm-price-lab")
    km.start_kernel(stderr=log)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc


def iopub_until_idle(kc, msg_id, keep=raw):
    """The IOPub messages of one request, through its idle status, each as `keep` makes it."""
    seen = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append(keep(msg))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return seen
    raise TimeoutError(f"no idle status for {msg_id}")


def reply_to(get, msg_id):
    """The reply to `msg_id` from a channel's `get` (other replies are skipped)."""
    while True:
        msg = get(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") == msg_id:
            return raw(msg)


def interrupt(kc):
    """Sends interrupt_request on the control channel; returns (its msg_id, its reply)."""
    msg = kc.session.msg("interrupt_request", {})
    kc.control_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    return msg_id, reply_to(kc.get_control_msg, msg_id)
