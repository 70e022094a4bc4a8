"""Ctrl-C stops a run within about a second and raises KeyboardInterrupt."""
import signal
import subprocess
import sys
import time

SCRIPT = """
import signal, sys, admsim
# Ctrl-C raises KeyboardInterrupt as in an interactive session, even when this test runs as a
# background job (a non-interactive shell starts those with SIGINT ignored, and children inherit it).
signal.signal(signal.SIGINT, signal.default_int_handler)
print("ready", flush=True)
try:
    admsim.simulate("example-county", years=10, replicates=200000, output="summary", progress=False)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(0)
print("finished", flush=True)
"""


def test_sigint_stops_simulation_quickly():
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    elapsed = time.monotonic() - sent
    assert "interrupted" in out
    assert proc.returncode == 0
    assert elapsed < 3.0


def test_a_cancel_token_stops_a_run_in_another_thread():
    # Ctrl-C reaches only the main thread; a run in a worker thread stops through its token.
    import threading

    import admsim

    token, outcome = admsim.CancelToken(), {}

    def work():
        try:
            admsim.simulate("example-county", years=10, replicates=200000, output="summary",
                            progress=False, cancel=token, allow_large=True)
            outcome["result"] = "finished"
        except KeyboardInterrupt:
            outcome["result"] = "interrupted"

    thread = threading.Thread(target=work)
    thread.start()
    time.sleep(1.0)
    sent = time.monotonic()
    token.cancel()
    thread.join(timeout=30)
    assert outcome.get("result") == "interrupted"
    assert time.monotonic() - sent < 3.0
