#!/usr/bin/python3
"""Traffic probes run inside Mininet hosts by nicflow's tests and demo.

  probe.py serve tcp|udp PORT [--announce NAME]
                                        echo server; prints "listening" once ready. With
                                        --announce it answers "NAME IP:PORT" (the peer's address
                                        as the server sees it) instead of the echo, and prints
                                        that line too
  probe.py connect tcp|udp HOST PORT [--timeout S] [--source-port P] [--show]
                                        exit 0 when the echo comes back, 1 otherwise; with
                                        --show any answer counts and is printed (for --announce)
  probe.py udp-stream HOST PORT COUNT   send COUNT datagrams of one flow, as fast as possible
  probe.py pingpong HOST PORT COUNT     COUNT UDP request/echo rounds on one flow; prints JSON with
                                        answered rounds and first/median round-trip times
  probe.py spray HOST PORT COUNT        one datagram from each of COUNT source ports (COUNT flows)
  probe.py watch HOST PORT SECONDS [--interval S] [--source-port P]
                                        UDP request/echo on one flow every S seconds (default 0.01)
                                        for SECONDS; prints JSON with the wall-clock send time of
                                        every round and whether it was answered
  probe.py flood HOST SECONDS [--senders N]
                                        new UDP flows to HOST for SECONDS (or until SIGTERM), as
                                        fast as N processes can send them: each datagram goes to
                                        the next destination port (1024-65535, then a new source
                                        port); prints "flooding" once started, then JSON with the
                                        datagrams sent and the rate
  probe.py churn-serve PORT             TCP echo server for churn: accept, echo, close; one at a time
  probe.py churn HOST PORT COUNT [--in-flight N] [--timeout S] [--first-port P]
                                        COUNT TCP connections, N at a time (connect, 8 bytes, echo,
                                        close); prints JSON: completed, failed, connections/s,
                                        setup (connect) and whole-connection p50/p99 in ms; with
                                        --first-port, connection k uses source port P + k
  probe.py echo HOST COUNT --ident N --tag T [--interval S] [--wait S]
                                        COUNT ICMP echo requests with identifier N, one every S
                                        seconds, each carrying "T SEQ" (raw socket: root); prints
                                        JSON: sent, own replies (this tag, identifier N), foreign
                                        replies (another tag: delivered to the wrong VM), replies
                                        with another identifier, duplicates, lost

Only the standard library is used, so any python3 in the host works.
"""
import argparse
import json
import math
import socket
import sys
import threading
import time


def answer(data, peer, announce):
    """The server's reply: the echo, or its name and the peer it sees."""
    if announce is None:
        return data
    line = "%s %s:%d" % (announce, peer[0], peer[1])
    print(line, flush=True)
    return (line + "\n").encode()


def serve(proto, port, announce=None):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    if proto == "tcp":
        s.listen(16)
    print("listening", flush=True)
    while True:
        if proto == "tcp":
            conn, peer = s.accept()
            conn.settimeout(5)
            try:
                data = conn.recv(1024)
                if data:
                    conn.sendall(answer(data, peer, announce))
            except OSError:
                pass
            finally:
                conn.close()
        else:
            data, peer = s.recvfrom(2048)
            if data != b"stream":
                s.sendto(answer(data, peer, announce), peer)


def connect(proto, host, port, timeout, source_port, show=False):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(timeout)
    if source_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", source_port))
    payload = b"nicflow-probe"
    try:
        if proto == "tcp":
            s.connect((host, port))
            s.sendall(payload)
            data = s.recv(1024)
        else:
            # A lost first datagram is retried: a UDP client would do the same.
            data = b""
            for _ in range(3):
                s.sendto(payload, (host, port))
                try:
                    data, _ = s.recvfrom(1024)
                    break
                except socket.timeout:
                    continue
        ok = bool(data) if show else data == payload
        if ok and show:
            print(data.decode(errors="replace").strip(), flush=True)
    except OSError as e:
        print("failed: %s" % e, file=sys.stderr)
        ok = False
    finally:
        s.close()
    print("ok" if ok else "no answer", flush=True)
    return 0 if ok else 1


def udp_stream(host, port, count, source_port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if source_port:
        s.bind(("0.0.0.0", source_port))
    for _ in range(count):
        s.sendto(b"stream", (host, port))
    print("sent %d" % count, flush=True)
    return 0


def pingpong(host, port, count, source_port, timeout):
    import json
    import time
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if source_port:
        s.bind(("0.0.0.0", source_port))
    s.settimeout(timeout)
    rtts = []
    answered = 0
    for i in range(count):
        payload = b"pp%d" % i
        start = time.perf_counter()
        s.sendto(payload, (host, port))
        try:
            while True:
                data, _ = s.recvfrom(2048)
                if data == payload:
                    break
            rtts.append((time.perf_counter() - start) * 1000.0)
            answered += 1
        except socket.timeout:
            rtts.append(None)
    later = sorted(r for r in rtts[1:] if r is not None)
    print(json.dumps({
        "sent": count,
        "answered": answered,
        "first_rtt_ms": rtts[0] if rtts else None,
        "median_rtt_ms": later[len(later) // 2] if later else None,
    }), flush=True)
    return 0 if answered == count else 1


def watch(host, port, seconds, interval, source_port):
    """Rounds at a fixed rate; a round counts as answered when its echo arrives within 0.5 s."""
    import json
    import select
    import time
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if source_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", source_port))
    s.setblocking(False)
    sent = {}
    answered = set()
    start = time.time()
    i = 0
    next_send = start
    end = start + seconds
    while True:
        now = time.time()
        if now >= end + 0.5:
            break
        if now >= next_send and now < end:
            payload = b"w%d" % i
            sent[payload] = now
            try:
                s.sendto(payload, (host, port))
            except OSError:
                pass
            i += 1
            next_send += interval
        ready, _, _ = select.select([s], [], [], max(0.0, min(next_send, end + 0.5) - time.time()))
        if ready:
            try:
                while True:
                    data, _ = s.recvfrom(2048)
                    t = sent.get(data)
                    if t is not None and time.time() - t <= 0.5:
                        answered.add(data)
            except BlockingIOError:
                pass
    rounds = sorted(sent.items(), key=lambda kv: kv[1])
    print(json.dumps({
        "sent": len(rounds),
        "answered": len(answered),
        "rounds": [[t, p in answered] for p, t in rounds],
    }), flush=True)
    return 0


def spray(host, port, count):
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        s.sendto(b"stream", (host, port))
        socks.append(s)
    for s in socks:
        s.close()
    print("sprayed %d" % count, flush=True)
    return 0


def flood_sender(host, seconds, counter):
    """One sender of flood: new 5-tuples back to back until the time is up, counting into counter."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 0))
        sent = 0
        for port in range(1024, 65536):
            try:
                s.sendto(b"f", (host, port))
                sent += 1
            except OSError:
                pass
            if port % 256 == 0:
                with counter.get_lock():
                    counter.value += sent
                sent = 0
                if time.perf_counter() >= deadline:
                    break
        with counter.get_lock():
            counter.value += sent
        s.close()


def flood(host, seconds, senders):
    """New UDP flows to host for seconds (or until SIGTERM) from senders processes (threads would
    share one core); prints the datagrams sent and the rate either way."""
    import multiprocessing
    import signal
    counter = multiprocessing.Value("q", 0)
    procs = [multiprocessing.Process(target=flood_sender, args=(host, seconds, counter)) for _ in range(senders)]
    start = time.perf_counter()

    def report(*_):
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - start
        print(json.dumps({"sent": counter.value, "seconds": round(elapsed, 3),
                          "per_second": round(counter.value / elapsed, 1) if elapsed > 0 else 0}), flush=True)
        sys.exit(0)

    for p in procs:
        p.start()  # before the handler: the senders keep the default, so terminate() ends them
    signal.signal(signal.SIGTERM, report)
    print("flooding", flush=True)
    for p in procs:
        p.join()
    report()


CHURN_PAYLOAD = b"nicflow!"


def churn_serve(port):
    """Echo server for churn: accept, read the 8 bytes, echo them, close; one at a time."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1024)
    print("listening", flush=True)
    while True:
        conn, _ = s.accept()
        conn.settimeout(2)
        try:
            data = conn.recv(64)
            if data:
                conn.sendall(data)
        except OSError:
            pass
        finally:
            conn.close()


def percentile(values, q):
    """The q-quantile (0-1) of sorted values, nearest rank; None when empty."""
    if not values:
        return None
    rank = max(1, int(math.ceil(q * len(values))))
    return values[rank - 1]


def churn(host, port, count, in_flight, timeout, first_port=0):
    """Opens count TCP connections, in_flight at a time: connect, 8 bytes, read the echo, close.

    Prints one JSON line: connections that completed, failures, wall time, connections per
    second, and the setup time (connect() returning: SYN to SYN-ACK) and whole-connection time
    percentiles in milliseconds. With first_port, connection k uses source port first_port + k,
    so every connection is a new 5-tuple (the kernel may otherwise reuse a port whose flows
    are still in the switch)."""
    setup, total, failures = [], [], []
    lock = threading.Lock()
    shares = [count // in_flight + (1 if i < count % in_flight else 0) for i in range(in_flight)]

    def worker(w, n):
        for i in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(timeout)
            t0 = time.perf_counter()
            try:
                if first_port:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("0.0.0.0", first_port + w + i * in_flight))
                s.connect((host, port))
                t1 = time.perf_counter()
                s.sendall(CHURN_PAYLOAD)
                data = b""
                while len(data) < len(CHURN_PAYLOAD):
                    chunk = s.recv(64)
                    if not chunk:
                        break
                    data += chunk
                t2 = time.perf_counter()
                with lock:
                    if data == CHURN_PAYLOAD:
                        setup.append(t1 - t0)
                        total.append(t2 - t0)
                    else:
                        failures.append("short echo")
            except OSError as e:
                with lock:
                    failures.append(type(e).__name__)
            finally:
                s.close()

    threads = [threading.Thread(target=worker, args=(w, n)) for w, n in enumerate(shares) if n > 0]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    setup.sort()
    total.sort()

    def ms(v):
        return None if v is None else round(v * 1000, 3)
    print(json.dumps({
        "connections": count, "ok": len(setup), "failed": len(failures),
        "failures": sorted(set(failures)), "seconds": round(seconds, 4),
        "per_second": round(len(setup) / seconds, 1) if seconds > 0 else 0,
        "setup_ms_p50": ms(percentile(setup, 0.5)), "setup_ms_p99": ms(percentile(setup, 0.99)),
        "total_ms_p50": ms(percentile(total, 0.5)), "total_ms_p99": ms(percentile(total, 0.99)),
    }), flush=True)
    return 0 if not failures else 1


def icmp_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum((data[i] << 8) | data[i + 1] for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def echo(host, count, ident, tag, interval, wait):
    """Pings host with a fixed identifier and tagged payloads; counts whose replies come back.

    The payload names the sender, so a reply delivered to the wrong VM is seen as foreign even
    when both VMs use the same identifier."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(0.05)
    own, foreign, other_ident, duplicates = set(), 0, 0, 0
    sent = 0

    def receive(until):
        nonlocal foreign, other_ident, duplicates
        while time.monotonic() < until:
            try:
                data, _ = s.recvfrom(2048)
            except socket.timeout:
                continue
            ihl = (data[0] & 0x0f) * 4
            icmp = data[ihl:]
            if len(icmp) < 8 or icmp[0] != 0:
                continue
            rid = (icmp[4] << 8) | icmp[5]
            words = icmp[8:].split(b" ")
            if len(words) != 2:
                continue
            if words[0].decode(errors="replace") != tag:
                foreign += 1
            elif rid != ident:
                other_ident += 1
            else:
                seq = int(words[1])
                if seq in own:
                    duplicates += 1
                own.add(seq)

    for seq in range(count):
        payload = ("%s %d" % (tag, seq)).encode()
        header = bytes([8, 0, 0, 0, ident >> 8, ident & 0xff, (seq >> 8) & 0xff, seq & 0xff])
        c = icmp_checksum(header + payload)
        packet = header[:2] + bytes([c >> 8, c & 0xff]) + header[4:] + payload
        s.sendto(packet, (host, 0))
        sent += 1
        receive(time.monotonic() + interval)
    receive(time.monotonic() + wait)
    print(json.dumps({"tag": tag, "ident": ident, "sent": sent, "own": len(own), "foreign": foreign,
                      "other_ident": other_ident, "duplicates": duplicates, "lost": sent - len(own)}),
          flush=True)
    return 0 if len(own) == sent and foreign == 0 else 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="op", required=True)
    sv = sub.add_parser("serve")
    sv.add_argument("proto", choices=["tcp", "udp"])
    sv.add_argument("port", type=int)
    sv.add_argument("--announce", metavar="NAME")
    c = sub.add_parser("connect")
    c.add_argument("proto", choices=["tcp", "udp"])
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("--timeout", type=float, default=2.0)
    c.add_argument("--source-port", type=int, default=0)
    c.add_argument("--show", action="store_true")
    u = sub.add_parser("udp-stream")
    u.add_argument("host")
    u.add_argument("port", type=int)
    u.add_argument("count", type=int)
    u.add_argument("--source-port", type=int, default=0)
    pp = sub.add_parser("pingpong")
    pp.add_argument("host")
    pp.add_argument("port", type=int)
    pp.add_argument("count", type=int)
    pp.add_argument("--source-port", type=int, default=0)
    pp.add_argument("--timeout", type=float, default=1.0)
    sp = sub.add_parser("spray")
    sp.add_argument("host")
    sp.add_argument("port", type=int)
    sp.add_argument("count", type=int)
    w = sub.add_parser("watch")
    w.add_argument("host")
    w.add_argument("port", type=int)
    w.add_argument("seconds", type=float)
    w.add_argument("--interval", type=float, default=0.01)
    w.add_argument("--source-port", type=int, default=0)
    fl = sub.add_parser("flood")
    fl.add_argument("host")
    fl.add_argument("seconds", type=float)
    fl.add_argument("--senders", type=int, default=1)
    cs = sub.add_parser("churn-serve")
    cs.add_argument("port", type=int)
    ch = sub.add_parser("churn")
    ch.add_argument("host")
    ch.add_argument("port", type=int)
    ch.add_argument("count", type=int)
    ch.add_argument("--in-flight", type=int, default=1)
    ch.add_argument("--timeout", type=float, default=2.0)
    ch.add_argument("--first-port", type=int, default=0)
    e = sub.add_parser("echo")
    e.add_argument("host")
    e.add_argument("count", type=int)
    e.add_argument("--ident", type=int, required=True)
    e.add_argument("--tag", required=True)
    e.add_argument("--interval", type=float, default=0.2)
    e.add_argument("--wait", type=float, default=1.0)
    a = p.parse_args()
    if a.op == "echo":
        return echo(a.host, a.count, a.ident, a.tag, a.interval, a.wait)
    if a.op == "serve":
        serve(a.proto, a.port, a.announce)
        return 0
    if a.op == "connect":
        return connect(a.proto, a.host, a.port, a.timeout, a.source_port, a.show)
    if a.op == "pingpong":
        return pingpong(a.host, a.port, a.count, a.source_port, a.timeout)
    if a.op == "spray":
        return spray(a.host, a.port, a.count)
    if a.op == "flood":
        return flood(a.host, a.seconds, a.senders)
    if a.op == "churn-serve":
        churn_serve(a.port)
        return 0
    if a.op == "churn":
        return churn(a.host, a.port, a.count, a.in_flight, a.timeout, a.first_port)
    if a.op == "watch":
        return watch(a.host, a.port, a.seconds, a.interval, a.source_port)
    return udp_stream(a.host, a.port, a.count, a.source_port)


if __name__ == "__main__":
    sys.exit(main())
