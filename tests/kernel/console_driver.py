"""Drives Debian's `jupyter console --kernel llm-price-lab` in a pseudo-terminal, as a user types.

Run by tests/kernel/console.test.ts with JUPYTER_PATH set to the project-local kernelspec and
JUPYTER_RUNTIME_DIR set to a fresh folder (so this console's kernel can be told from others).
Prints one JSON object: the screen as text (ANSI sequences removed) after each step, and whether
the kernel process was gone after `exit`.
"""
import json
import os
import re
import subprocess
import sys
import time

import pexpect

STEP_TIMEOUT = 120
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]|\r")

# A pseudo-terminal does not answer prompt_toolkit's cursor position requests; on a loaded machine
# waiting for that answer ended in "Exception generator already executing" (prompt_toolkit) while keys
# arrived. prompt_toolkit's own switch tells it not to ask.
child = pexpect.spawn(
    "/usr/bin/jupyter",
    ["console", "--kernel", "llm-price-lab"],
    encoding="utf-8",
    timeout=STEP_TIMEOUT,
    dimensions=(50, 160),
    env={**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1"},
)
raw = []
result = {"steps": {}}


def screen():
    return ANSI.sub("", "".join(raw))


def read_until(pattern, since, timeout=STEP_TIMEOUT):
    """Reads the terminal until `pattern` appears in the text after offset `since`."""
    deadline = time.monotonic() + timeout
    regex = re.compile(pattern)
    while True:
        text = screen()
        if regex.search(text, since):
            return text
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pattern!r} not seen; screen ends with: {text[-1500:]!r}")
        try:
            raw.append(child.read_nonblocking(4096, timeout=0.2))
        except pexpect.TIMEOUT:
            pass


def settle(seconds):
    """Reads whatever the terminal shows for `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            raw.append(child.read_nonblocking(4096, timeout=0.2))
        except pexpect.TIMEOUT:
            pass


def kernel_processes():
    runtime = os.environ["JUPYTER_RUNTIME_DIR"]
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in ps.splitlines() if runtime in line and "main.js" in line]


# prompt_toolkit flushes pending keys from a timer, `timeoutlen` (1 s) after it last read keys. Jupyter
# console's Enter handler waits for the kernel's is_complete reply inside a nested event loop, where
# that timer can fire while the handler is still running: prompt_toolkit then fails with "Exception
# generator already executing". Under load a line and its Enter were read apart, and it did. A person
# types more slowly than the timer; so does this driver: the line, a pause past the timer, then Enter.
KEY_TIMEOUT = 1.0


def type_line(text):
    """Types `text` as a line at a prompt: its characters, then, once prompt_toolkit's key timer has
    run out, Enter on its own."""
    since = len(screen())
    if text:
        child.send(text)
        read_until(re.escape(text[-12:]), since)
    settle(KEY_TIMEOUT + 0.5)
    child.send("\r")


def step(name, lines, until, prompt=None):
    """Types `lines`, reads until `until` and then the next prompt (output may follow a prompt on
    the terminal, as prompt_toolkit redraws)."""
    since = len(screen())
    for line in lines:
        type_line(line)
    read_until(until, since)
    text = read_until(prompt, since) if prompt else screen()
    result["steps"][name] = text[since:]


try:
    read_until(r"In \[1\]: ", 0)
    result["kernel_running"] = len(kernel_processes())
    # A function typed line by line: continuation prompts, nothing run before the last line.
    since = len(screen())
    type_line("function twice(n: number): number {")
    read_until(r"\.\.\.: ", since)
    type_line("return n * 2;")
    read_until(r"\.\.\.: .*\n.*\.\.\.: ", since)
    settle(1)
    result["steps"]["partial"] = screen()[since:]
    step("define", ["}"], r"In \[2\]: ")
    result["steps"]["define"] = screen()[since:]
    step("call", ["twice(21)"], r"Out\[2\]: 42", r"In \[3\]: ")
    step("throw", ["throw new RangeError('too cheap')"], r"at Cell In\[3\], line 1", r"In \[4\]: ")
    # Ctrl-C while a loop spins (or while it still compiles): interrupted, and the console is ready
    # for more. A second Ctrl-C is sent only if the first reached the console before it sent the cell.
    since = len(screen())
    type_line("while (true) {}")
    settle(2)
    result["interrupts_sent"] = 0
    for _ in range(5):
        child.sendintr()
        result["interrupts_sent"] += 1
        try:
            read_until(r"InterruptError", since, timeout=10)
            break
        except TimeoutError:
            continue
    read_until(r"In \[5\]: ", since)
    result["steps"]["interrupt"] = screen()[since:]
    step("after_interrupt", ["'alive'"], r"Out\[5\]: 'alive'")
    # A cell that asks: the console shows the prompt, the answer typed at the terminal is the value.
    step("input_import", ["import { input } from 'llm-price-lab/stdin';"], r"In \[7\]: ")
    since = len(screen())
    type_line("await input('Your name: ')")
    # The prompt on a line of its own: the echoed cell holds the same words.
    read_until(r"\nYour name: ", since)
    time.sleep(0.5)
    child.send("Ada\r")
    read_until(r"Out\[7\]: 'Ada'", since)
    read_until(r"In \[8\]: ", since)
    result["steps"]["input"] = screen()[since:]
    # The synchronous prompt(): the cell blocks until the line typed at the terminal.
    since = len(screen())
    type_line("prompt('Port?', '8888') + '/' + prompt('Host?')")
    read_until(r"Port\? \[8888\] ", since)
    time.sleep(0.5)
    child.send("\r")
    read_until(r"Host\? ", since)
    time.sleep(0.5)
    child.send("example.org\r")
    read_until(r"Out\[8\]: '8888/example.org'", since)
    read_until(r"In \[9\]: ", since)
    result["steps"]["prompt"] = screen()[since:]
    since = len(screen())
    type_line("exit")
    try:
        child.expect(pexpect.EOF, timeout=STEP_TIMEOUT)
    finally:
        raw.append(child.before or "")
    result["steps"]["exit"] = screen()[since:]
    deadline = time.monotonic() + 30
    while kernel_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    result["kernel_left"] = kernel_processes()
finally:
    result["screen"] = screen()
    if child.isalive():
        child.terminate(force=True)
    print(json.dumps(result))
