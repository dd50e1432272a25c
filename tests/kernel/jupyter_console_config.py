# Config for Debian 12's jupyter-console 6.4.4 (used by tests/kernel/console.test.ts; also usable
# as ~/.jupyter/jupyter_console_config.py).
#
# That console relays Ctrl-C to the kernel from a SIGINT handler, but prompt_toolkit 3.0.36
# restores Python's default SIGINT handler when each prompt ends, so Ctrl-C during a running cell
# raises KeyboardInterrupt in the console ("KeyboardInterrupt escaped interact()") and no kernel,
# ipykernel included, is ever interrupted. This reinstates the relay while a cell runs.
import signal

from jupyter_console.ptshell import ZMQTerminalInteractiveShell

_run_cell = ZMQTerminalInteractiveShell.run_cell


def _run_cell_interruptible(self, cell, store_history=True):
    def relay(*_):
        if self.manager is not None:
            self.manager.interrupt_kernel()

    previous = signal.signal(signal.SIGINT, relay)
    try:
        return _run_cell(self, cell, store_history)
    finally:
        signal.signal(signal.SIGINT, previous)


ZMQTerminalInteractiveShell.run_cell = _run_cell_interruptible
