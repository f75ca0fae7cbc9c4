#!/usr/bin/env python3
"""A small closed-loop HTTP load generator for the server benchmarks (benchmarks/run).

    python benchmarks/load.py 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D' --clients 8 --seconds 10

N clients, each a thread with one keep-alive HTTP/1.1 connection, send the same
request again and again for T seconds, each waiting for its answer before the
next (closed loop: the rate is what the server sustains with N requests in
flight). It counts answers, errors and latencies and prints JSON.

Pure Python, so it runs wherever the harness does, but it must not be what
limits the figure: it writes a pre-encoded request on a raw socket and parses
only the status line, Content-Length and chunked framing (``http.client``
parses every header with the email package, several times slower). Its own
ceiling on a given machine is what it measures against the fastest server
(Oxigraph); see benchmarks/RESULTS-server.md. Only loopback targets are
accepted, and both the duration and the request count are bounded.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_SECONDS = 600.0
MAX_REQUESTS = 10_000_000


@dataclass(frozen=True)
class Target:
    """One request, sent unchanged by every client."""

    url: str
    method: str = "GET"
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK:
            raise ValueError(f"load.py only targets http://127.0.0.1 (loopback), not {self.url}")
        return parts.hostname, parts.port or 80

    def encoded(self) -> bytes:
        parts = urlsplit(self.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Host": parts.netloc, "Connection": "keep-alive", **self.headers}
        if self.body or self.method in ("POST", "PUT"):
            headers["Content-Length"] = str(len(self.body))
        head = f"{self.method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        return head.encode("latin-1") + self.body


class ResponseError(Exception):
    """A status other than 2xx, or a response this client cannot frame."""


class Connection:
    """One keep-alive connection: send the request, read exactly one response, return its status and body."""

    def __init__(self, address: tuple[str, int], timeout: float):
        self.address, self.timeout = address, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        head = self.read_until(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, chunked, close = None, False, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            body = self.read_chunked()
        elif length is not None:
            body = self.read_exactly(length)
        else:
            body, close = self.read_to_end(), True
        if close:
            self.close()
        return status, body

    def fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ResponseError("connection closed by the server")
        self.buffer += data

    def read_until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self.fill()
        data, self.buffer = self.buffer[:end], self.buffer[end + len(marker):]
        return data

    def read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self.fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def read_chunked(self) -> bytes:
        parts = []
        while size := int(self.read_until(b"\r\n").split(b";")[0], 16):
            parts.append(self.read_exactly(size))
            self.read_exactly(2)
        while self.read_until(b"\r\n"):       # trailers, up to the empty line
            pass
        return b"".join(parts)

    def read_to_end(self) -> bytes:
        try:
            while True:
                self.fill()
        except ResponseError:
            data, self.buffer = self.buffer, b""
            return data


@dataclass
class LoadResult:
    """What N clients got in T seconds; latencies in seconds, sorted."""

    clients: int
    requests: int
    errors: int
    elapsed: float
    latencies: list[float]
    first_error: str | None = None

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float | None:
        """Nearest-rank percentile of the successful requests' latencies."""
        if not self.latencies:
            return None
        rank = max(1, round(share * len(self.latencies) + 0.4999))
        return self.latencies[min(rank, len(self.latencies)) - 1]

    def summary(self) -> dict:
        ms = lambda value: None if value is None else round(value * 1000, 3)   # noqa: E731
        return {"clients": self.clients, "requests": self.requests, "errors": self.errors,
                "seconds": round(self.elapsed, 3), "requests_per_second": round(self.requests_per_second, 2),
                "p50_ms": ms(self.percentile(0.50)), "p99_ms": ms(self.percentile(0.99)),
                "max_ms": ms(self.latencies[-1] if self.latencies else None), "first_error": self.first_error}


def run(target: Target, clients: int = 8, seconds: float = 10.0, max_requests: int = 1_000_000,
        timeout: float = 120.0) -> LoadResult:
    """Run `clients` closed-loop clients for `seconds` (or until `max_requests` were sent); wait for in-flight answers.

    The elapsed time runs until the last answer, so a server that queues requests (one at a time) is
    not flattered by the answers still pending at the deadline.
    """
    if not 1 <= clients <= 1024 or not 0 < seconds <= MAX_SECONDS or not 1 <= max_requests <= MAX_REQUESTS:
        raise ValueError("clients 1-1024, seconds up to 600 and max_requests up to 10 million")
    address, request = target.address(), target.encoded()
    lock = threading.Lock()
    budget = [max_requests]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    first_errors: list[str] = []
    start_gate = threading.Barrier(clients + 1)
    deadline = 0.0

    def client(number: int) -> None:
        connection = Connection(address, timeout)
        mine = latencies[number]
        start_gate.wait()
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                began = time.perf_counter()
                try:
                    status, body = connection.exchange(request)
                    if not 200 <= status < 300:
                        raise ResponseError(f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
                except (OSError, ValueError, ResponseError) as error:
                    connection.close()
                    errors[number] += 1
                    if not first_errors:
                        first_errors.append(f"{type(error).__name__}: {error}")
                    continue
                mine.append(time.perf_counter() - began)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start_gate.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    merged = sorted(latency for own in latencies for latency in own)
    return LoadResult(clients, len(merged), sum(errors), elapsed, merged, first_errors[0] if first_errors else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="http://127.0.0.1:PORT/path?query (loopback only)")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--data", default="", help="request body (sent as UTF-8)")
    parser.add_argument("--header", action="append", default=[], metavar="NAME:VALUE")
    parser.add_argument("--clients", "-c", type=int, default=8)
    parser.add_argument("--seconds", "-d", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    headers = dict(item.split(":", 1) for item in args.header)
    target = Target(args.url, args.method.upper(), args.data.encode("utf-8"),
                    {name.strip(): value.strip() for name, value in headers.items()})
    result = run(target, args.clients, args.seconds, args.max_requests)
    print(json.dumps(result.summary()))
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
