"""Load on the production server: N concurrent clients posting questions for a fixed time.

Starts `python -m bot serve` on a free loopback port (a separate process, as in production),
waits for /healthz, then runs `--clients` threads, each with its own keep-alive connection,
posting the labelled set's questions to POST /api/ask in turn for `--seconds`. Reports answers
per second, p50/p95/p99 latency, errors (any non-200 or failed connection) and the server's
resident memory before, every 5 s during, and after the timed run (which follows `--warm-up`
seconds of untimed load, so caches and allocator pools have filled).

    python -m bot.bench.http [--clients 8] [--seconds 30] [--threads 4] [--out FOLDER]
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bot.bench.services import free_port
from bot.config import PROJECT_ROOT
from bot.evaluation.labelled import DEFAULT_QUESTIONS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(port: int, threads: int) -> subprocess.Popen:
    # The per-client rate limit is off: every simulated client shares one address, and this
    # measures capacity, not the limiter.
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--threads", str(threads),
                             "--rate-limit", "off"],
                            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("error: the server did not start")


def drive(port: int, questions: list[str], clients: int, seconds: float, distinct: bool = False
          ) -> tuple[list[float], int, int]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        while time.monotonic() < stop_at:
            question = questions[i % len(questions)]
            if distinct:  # never the same text twice: every request pays for the model
                question = f"{question} ({i})"
            body = json.dumps({"question": question})
            i += clients
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            latencies[n].append(time.perf_counter() - t0)
            if not ok:
                errors[n] += 1
        conn.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    flat = [x for per_client in latencies for x in per_client]
    return flat, sum(errors), len(flat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.http", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=4, help="server worker threads (default 4)")
    parser.add_argument("--warm-up", type=float, default=10, help="seconds of untimed load first (default 10)")
    parser.add_argument("--distinct", action="store_true",
                        help="make every question unique, so none is served from the query-embedding cache")
    parser.add_argument("--out", help="folder for bench-http.json (default: runs/bench-http-<time>/)")
    args = parser.parse_args(argv)
    questions = [json.loads(line)["question"] for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    port = free_port()
    server = start_server(port, args.threads)
    samples: list[tuple[float, float]] = []  # (seconds into the run, server RSS MiB)
    try:
        drive(port, questions, args.clients, args.warm_up, args.distinct)  # warm-up at full load, not counted
        before = rss_mib(server.pid)
        stop = threading.Event()
        t0 = time.monotonic()

        def sample() -> None:
            while not stop.wait(5):
                samples.append((round(time.monotonic() - t0, 1), round(rss_mib(server.pid), 1)))

        sampler = threading.Thread(target=sample)
        sampler.start()
        latencies, errors, requests = drive(port, questions, args.clients, args.seconds, args.distinct)
        stop.set()
        sampler.join()
        after = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ms = np.asarray(latencies) * 1000
    summary = {
        "clients": args.clients, "seconds": args.seconds, "warm_up_seconds": args.warm_up,
        "distinct_questions": args.distinct, "server_threads": args.threads, "requests": requests,
        "errors": errors, "answers_per_second": (requests - errors) / args.seconds,
        "latency_ms": {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
                       "p99": float(np.percentile(ms, 99))},
        "server_rss_mib": {"before": round(before, 1), "after": round(after, 1), "every_5_s": samples},
    }
    out = Path(args.out) if args.out else PROJECT_ROOT / "runs" / \
        f"bench-http-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-http.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    lat = summary["latency_ms"]
    kind = "every question distinct" if args.distinct else "labelled questions repeated"
    print(f"POST /api/ask, {args.clients} clients, {args.seconds:.0f} s, {kind}: {requests} requests, {errors} errors, "
          f"{summary['answers_per_second']:.1f} answers/s; latency p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms, "
          f"p99 {lat['p99']:.1f} ms; server memory {before:.0f} -> {after:.0f} MiB")
    print(f"written to {out}", file=sys.stderr)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
