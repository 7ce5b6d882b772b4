#!/usr/bin/env python3
"""A switch that stops reading, for the controller's outbound bound (docs/controller.md, "A
switch that stops reading"; figures in docs/benchmarks.md).

Handshakes with a nicflow controller as host1 of examples/demo.yaml (OpenFlow 1.3), answers
until the bridge is programmed, then sends COUNT packet-ins of SIZE-byte frames, each a new TCP
connection from web1 to web2, and never reads again; then stays connected for LINGER seconds.

Usage: scripts/stalled-switch.py HOST:PORT COUNT SIZE [LINGER]"""
import socket, struct, sys, time

host, port = sys.argv[1].rsplit(":", 1)
count, size = int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection((host, int(port)))

def msg(t, xid, body=b""):
    return struct.pack("!BBHI", 4, t, 8 + len(body), xid) + body

def port_desc(no, name, mac):
    return struct.pack("!I4x6s2x16sIIIIIIII", no, mac, name.encode(), 0, 4, 0, 0, 0, 0, 0, 0)

ports = [(1, "host1-up"), (2, "p-web1"), (3, "p-db1"), (4, "p-red1"), (5, "tun-host2")]
s.sendall(msg(0, 1))
buf = b""
s.settimeout(3.0)
programmed = False
while True:
    try:
        data = s.recv(65536)
    except socket.timeout:
        if programmed:
            break
        continue
    if not data:
        sys.exit("controller closed the connection during the handshake")
    buf += data
    while len(buf) >= 8:
        v, t, ln, xid = struct.unpack("!BBHI", buf[:8])
        if len(buf) < ln:
            break
        body, buf = buf[8:ln], buf[ln:]
        if t == 2:
            s.sendall(msg(3, xid, body))
        elif t == 5:
            s.sendall(msg(6, xid, struct.pack("!QIBB2xII", 1, 0, 254, 0, 0, 0)))
        elif t == 18:
            mp = struct.unpack("!H", body[:2])[0]
            payload = b"".join(port_desc(n, nm, bytes([2, 0, 0, 0x10, 0, n])) for n, nm in ports) if mp == 13 else b""
            s.sendall(msg(19, xid, struct.pack("!HH4x", mp, 0) + payload))
        elif t == 20:
            s.sendall(msg(21, xid))
            programmed = True

def packet_in(i):
    sport = 1024 + i % 60000
    dst_ip = bytes([10, 1, 0, 12])
    tcp = struct.pack("!HHIIBBHHH", sport, 8000 + (i // 60000) % 100, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    pad = b"x" * max(0, size - 54)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(pad), 0, 0, 64, 6, 0, bytes([10, 1, 0, 11]), dst_ip)
    frame = bytes.fromhex("020000000001" "02000000010b" "0800") + ip + tcp + pad
    oxm = struct.pack("!HBBI", 0x8000, 0 << 1, 4, 2)
    match = struct.pack("!HH", 1, 4 + len(oxm)) + oxm
    match += b"\0" * ((8 - len(match) % 8) % 8)
    body = struct.pack("!IHBBQ", 0xffffffff, len(frame), 0, 0, 0) + match + b"\0\0" + frame
    return msg(10, 0, body)

s.settimeout(None)
started = time.time()
sent = 0
try:
    for i in range(count):
        s.sendall(packet_in(i))
        sent += 1
except OSError as e:
    print(f"controller closed after {sent} packet-ins ({e})", flush=True)
print(f"sent {sent} packet-ins of {size} bytes in {time.time() - started:.1f} s, read nothing", flush=True)
time.sleep(float(sys.argv[4]) if len(sys.argv) > 4 else 20)
s.close()
