#!/usr/bin/env python3
"""Times GET /metrics of a running nicflow API while four clients trickle requests at it.

Each of the four clients sends a request's headers one byte a second and opens a new connection
when the API cuts it off; meanwhile /metrics is fetched with curl SCRAPES times, half a second
apart (docs/benchmarks.md, "API under slow clients").

    scripts/api-slow-clients.py [PORT] [SCRAPES]      # defaults: 8080, 20
"""
import socket
import subprocess
import sys
import threading
import time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
SCRAPES = int(sys.argv[2]) if len(sys.argv) > 2 else 20
CLIENTS = 4
REQUEST = b"GET /api/v1/vms HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 64 + b"\r\n\r\n"

stopping = threading.Event()
cut_off = []


def trickle():
    while not stopping.is_set():
        s = socket.create_connection(("127.0.0.1", PORT))
        try:
            for byte in REQUEST:
                if stopping.is_set():
                    break
                s.send(bytes([byte]))
                stopping.wait(1)
        except OSError:
            cut_off.append(1)
        finally:
            s.close()


for _ in range(CLIENTS):
    threading.Thread(target=trickle, daemon=True).start()
time.sleep(2)  # let every client start its request
answers = []
for _ in range(SCRAPES):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "15", "-w", "%{http_code} %{time_total}",
                          f"http://127.0.0.1:{PORT}/metrics"], capture_output=True, text=True).stdout.split()
    answers.append((out[0], float(out[1])))
    time.sleep(0.5)
stopping.set()
times = sorted(t for _, t in answers)
codes = {}
for code, _ in answers:
    codes[code] = codes.get(code, 0) + 1
print(f"/metrics under {CLIENTS} trickling clients: {len(times)} scrapes, status {codes}, "
      f"median {times[len(times) // 2] * 1000:.1f} ms, slowest {times[-1] * 1000:.1f} ms; "
      f"trickling connections cut off: {len(cut_off)}")
