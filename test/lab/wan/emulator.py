#!/usr/bin/env python3
"""WAN emulator for the flyprobe network lab.

One process owns one TUN device per lab endpoint (a region's machine namespace, its edge namespace,
the collector namespace, the host). Every IP packet read from one TUN is written to the TUN of the
endpoint that owns the destination address after that ordered pair's one-way delay (plus bounded
jitter; never reordering packets of a pair), unless it is lost or blackholed.

Anycast destinations are delivered by catchment: the source endpoint's entry names the edge endpoint
that receives its anycast traffic. Replies carry the edge's unicast source back normally.

Flycast destinations (private addresses that go through fly-proxy) are delivered to the edge of the
source's own region, which no catchment change moves; sources outside the private network (the host,
the edges) have no such edge and their Flycast packets are dropped as `not_private`.

Usage: emulator.py CONFIG.json. Prints one JSON line {"ready": true, ...} once the TUN devices exist;
exits when stdin closes (the parent died) or on SIGTERM. Control: JSON lines on the unix socket named
in the config; each request gets one JSON line back ({"ok": true, ...} or {"ok": false, "error": ...}).
"""

import errno
import fcntl
import heapq
import ipaddress
import json
import os
import random
import resource
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_PACKET = 65536
READ_BURST = 64


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def addr_key(text):
    return ipaddress.ip_address(text).packed


def destination(packet):
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 6 and len(packet) >= 40:
        return packet[24:40]
    if version == 4 and len(packet) >= 20:
        return packet[16:20]
    return None


class Emulator:
    def __init__(self, config):
        self.names = [e["name"] for e in config["endpoints"]]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.fds = []
        self.owner = {}
        for i, e in enumerate(config["endpoints"]):
            self.fds.append(open_tun(e["ifname"]))
            for a in e.get("addresses", []):
                self.owner[addr_key(a)] = i
        self.anycast = {addr_key(a) for a in config.get("anycast", [])}
        self.flycast = {addr_key(a) for a in config.get("flycast", [])}
        n = len(self.names)
        self.delay = [[0.0] * n for _ in range(n)]
        self.jitter = [[0.0] * n for _ in range(n)]
        self.loss = [[0.0] * n for _ in range(n)]
        self.last_due = [[0.0] * n for _ in range(n)]
        self.queued = [[0] * n for _ in range(n)]
        self.catchment = [None] * n
        self.flycast_edge = [None] * n
        self.blackholed = [False] * n
        self.max_queue = int(config.get("maxQueue", 50000))
        self.max_pair_queue = int(config.get("maxPairQueue", 5000))
        self.forwarded = 0
        self.pair_forwarded = {}
        self.dropped = {
            "loss": 0,
            "blackhole": 0,
            "no_route": 0,
            "no_catchment": 0,
            "not_private": 0,
            "queue_full": 0,
            "write_error": 0,
        }
        self.heap = []
        self.counter = 0
        self.rng = random.Random(config.get("seed"))
        self.compensation = max(0.0, float(config.get("compensationMs", 0.0))) / 1000.0
        for p in config.get("pairs", []):
            self.set_pair(p)
        for src, edge in config.get("catchment", {}).items():
            self.catchment[self.index[src]] = self.index[edge]
        for src, edge in config.get("flycastEdges", {}).items():
            self.flycast_edge[self.index[src]] = self.index[edge]

    def ep(self, name):
        if name not in self.index:
            raise ValueError("unknown endpoint %r" % (name,))
        return self.index[name]

    def set_pair(self, p):
        s, d = self.ep(p["src"]), self.ep(p["dst"])
        if "delayMs" in p:
            self.delay[s][d] = max(0.0, float(p["delayMs"])) / 1000.0
        if "jitterMs" in p:
            self.jitter[s][d] = max(0.0, float(p["jitterMs"])) / 1000.0
        if "loss" in p:
            loss = float(p["loss"])
            if not 0.0 <= loss <= 1.0:
                raise ValueError("loss must be within 0..1")
            self.loss[s][d] = loss

    def on_packet(self, src, packet, now):
        if self.blackholed[src]:
            self.dropped["blackhole"] += 1
            return
        dst_addr = destination(packet)
        if dst_addr in self.anycast:
            dst = self.catchment[src]
            if dst is None:
                self.dropped["no_catchment"] += 1
                return
        elif dst_addr in self.flycast:
            dst = self.flycast_edge[src]
            if dst is None:
                self.dropped["not_private"] += 1
                return
        else:
            dst = self.owner.get(dst_addr)
            if dst is None:
                self.dropped["no_route"] += 1
                return
        if self.blackholed[dst]:
            self.dropped["blackhole"] += 1
            return
        if self.loss[src][dst] > 0.0 and self.rng.random() < self.loss[src][dst]:
            self.dropped["loss"] += 1
            return
        if len(self.heap) >= self.max_queue or self.queued[src][dst] >= self.max_pair_queue:
            self.dropped["queue_full"] += 1
            return
        due = now + max(0.0, self.delay[src][dst] - self.compensation)
        if self.jitter[src][dst] > 0.0:
            due += self.rng.random() * self.jitter[src][dst]
        # FIFO per ordered pair: jitter may stretch a gap but never reorders.
        due = max(due, self.last_due[src][dst])
        self.last_due[src][dst] = due
        self.queued[src][dst] += 1
        self.counter += 1
        heapq.heappush(self.heap, (due, self.counter, src, dst, packet))

    def deliver_due(self, now):
        while self.heap and self.heap[0][0] <= now:
            _, _, src, dst, packet = heapq.heappop(self.heap)
            self.queued[src][dst] -= 1
            try:
                os.write(self.fds[dst], packet)
                self.forwarded += 1
                key = (src, dst)
                self.pair_forwarded[key] = self.pair_forwarded.get(key, 0) + 1
            except OSError:
                self.dropped["write_error"] += 1

    def read_from(self, i, now):
        for _ in range(READ_BURST):
            try:
                packet = os.read(self.fds[i], MAX_PACKET)
            except OSError as e:
                if e.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    return
                raise
            self.on_packet(i, packet, now)

    def stats(self):
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "forwarded": self.forwarded,
            "dropped": dict(self.dropped),
            "queued": len(self.heap),
            "cpuSeconds": ru.ru_utime + ru.ru_stime,
            "pairs": [
                {"src": self.names[s], "dst": self.names[d], "forwarded": c}
                for (s, d), c in sorted(self.pair_forwarded.items())
            ],
        }

    def control(self, req):
        op = req.get("op")
        if op == "ping":
            return {}
        if op == "pairs":
            for p in req["pairs"]:
                self.set_pair(p)
            return {}
        if op == "catchment":
            for src, edge in req["table"].items():
                self.catchment[self.ep(src)] = None if edge is None else self.ep(edge)
            return {}
        if op == "blackhole":
            self.blackholed[self.ep(req["endpoint"])] = bool(req["on"])
            return {}
        if op == "stats":
            return self.stats()
        raise ValueError("unknown op %r" % (op,))


class ControlServer:
    def __init__(self, path, emulator):
        self.emulator = emulator
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.clients = {}

    def fds(self):
        return [self.sock] + list(self.clients)

    def readable(self, s):
        if s is self.sock:
            conn, _ = self.sock.accept()
            conn.setblocking(True)
            self.clients[conn] = b""
            return
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.clients.pop(s, None)
            s.close()
            return
        buf = self.clients[s] + data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                s.sendall((json.dumps(self.answer(line)) + "\n").encode())
        self.clients[s] = buf

    def answer(self, line):
        try:
            req = json.loads(line)
            out = self.emulator.control(req)
            out["ok"] = True
            return out
        except Exception as e:  # any bad request is answered, never fatal
            return {"ok": False, "error": str(e)}


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    emulator = Emulator(config)
    control = ControlServer(config["control"], emulator)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    print(json.dumps({"ready": True, "pid": os.getpid()}), flush=True)
    stdin_fd = sys.stdin.fileno()
    tun_of_fd = {fd: i for i, fd in enumerate(emulator.fds)}
    while not stop:
        now = time.monotonic()
        emulator.deliver_due(now)
        timeout = 1.0
        if emulator.heap:
            timeout = max(0.0, emulator.heap[0][0] - time.monotonic())
        try:
            ready, _, _ = select.select(list(tun_of_fd) + control.fds() + [stdin_fd], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for r in ready:
            if r == stdin_fd:
                if not os.read(stdin_fd, 4096):
                    stop.append(1)
            elif isinstance(r, int):
                emulator.read_from(tun_of_fd[r], now)
            else:
                control.readable(r)
    try:
        os.unlink(config["control"])
    except OSError:
        pass


if __name__ == "__main__":
    main()
