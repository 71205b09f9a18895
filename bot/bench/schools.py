"""Many schools, several web processes, real PostgreSQL and Redis: load, a publish, a kill.

What an operator running the service for a local authority needs to know: how many answers a
second two processes give across hundreds of schools, how long a school's publish takes to reach
every process, what a killed process costs, and how memory grows with the number of schools.

It starts PostgreSQL and Redis from the Debian packages in a temporary folder (bot/bench/services.py),
adds `--schools` schools to the shared database (and enough more for the memory steps), starts
`--processes` `python -m bot serve` processes on one shared instance folder, and runs `--clients`
client threads for `--seconds`: each question goes to a random school, on the processes in turn,
and to the next process when one does not answer (as the reverse proxy of compose.yaml does).
Meanwhile:

- at a fifth of the run, one school's lead signs in on the first process, uploads a document
  and publishes it; the time until every process answers from it is reported;
- at just over half, the last process is killed (SIGKILL) and started again; requests that
  reach it while it is down go to another process, and are counted.

Rate limits stay on, in Redis (a limit far above the load: every client here shares one address),
so each answer pays the shared count as it does in production. Afterwards each process is
shown 100 and then 1,000 schools' pages, and its resident memory is read at each step.

    python -m bot.bench.schools [--schools 200] [--processes 2] [--clients 8] [--seconds 60] [--out FOLDER]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bot.bench.http import rss_mib
from bot.bench.services import PostgresServer, RedisServer, free_port
from bot.config import PROJECT_ROOT
from bot.evaluation.labelled import DEFAULT_QUESTIONS

PASSWORD = "bench password for the lead"
DOCUMENT = ("Bench School procedure for lost property\n\n"
            "At Bench School the office manager checks the lost property cupboard every Tuesday at noon "
            "and gives unclaimed phones to the safeguarding lead.\n")
PROBE = "Who checks the lost property cupboard at Bench School, and when?"
GROW_STEPS = (100, 1000)


class Server:
    """One `python -m bot serve` process on the shared database, Redis and instance folder."""

    def __init__(self, env: dict, threads: int):
        self.env, self.threads = env, threads
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> float:
        """Start and wait for /healthz; the seconds it took."""
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(self.port), "--threads", str(self.threads),
             "--rate-limit", "1000000 per minute", "--log-level", "warning"],
            cwd=PROJECT_ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while time.monotonic() - t0 < 240:
            try:
                status, _ = request(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return time.monotonic() - t0
            except OSError:
                if self.proc.poll() is not None:
                    break
            time.sleep(0.2)
        raise RuntimeError(f"the server on port {self.port} did not start")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


def request(port: int, method: str, path: str, body: dict | None = None, timeout: float = 60,
            conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


class Load:
    """Client threads asking random schools, on the processes in turn, failing over like a proxy."""

    def __init__(self, servers: list[Server], slugs: list[str], questions: list[str], clients: int):
        self.servers, self.slugs, self.questions, self.clients = servers, slugs, questions, clients
        self.records: list[tuple[float, float, int]] = []  # (start, seconds, status or 0 for a failure)
        self.answered_schools: set[str] = set()
        self.failovers = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def run(self, seconds: float, events) -> None:
        threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.clients)]
        self.t0 = time.monotonic()
        for thread in threads:
            thread.start()
        events(self.t0)
        remaining = seconds - (time.monotonic() - self.t0)
        if remaining > 0:
            time.sleep(remaining)
        self._stop.set()
        for thread in threads:
            thread.join(120)
        self.seconds = time.monotonic() - self.t0

    def _client(self, i: int) -> None:
        rng = random.Random(i)
        conns: dict[int, http.client.HTTPConnection] = {}
        turn = i
        while not self._stop.is_set():
            slug, question = rng.choice(self.slugs), rng.choice(self.questions)
            start = time.monotonic()
            status = 0
            for attempt in range(len(self.servers)):
                server = self.servers[(turn + attempt) % len(self.servers)]
                try:
                    conn = conns.get(server.port) or http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    conns[server.port] = conn
                    status, _ = request(server.port, "POST", f"/s/{slug}/api/ask", {"question": question}, conn=conn)
                    break
                except (OSError, http.client.HTTPException):
                    conns.pop(server.port, None)
                    if attempt + 1 < len(self.servers):
                        with self._lock:
                            self.failovers += 1
            turn += 1
            with self._lock:
                if status == 200:
                    self.answered_schools.add(slug)
                self.records.append((start - self.t0, time.monotonic() - start, status))

    def summary(self) -> dict:
        times = np.array([s for _, s, status in self.records if status == 200]) * 1000
        errors = sum(1 for *_, status in self.records if status != 200)
        return {"answers": int(len(times)), "seconds": round(self.seconds, 1),
                "answers_per_second": round(len(times) / self.seconds, 1),
                "p50_ms": round(float(np.percentile(times, 50)), 1) if len(times) else None,
                "p95_ms": round(float(np.percentile(times, 95)), 1) if len(times) else None,
                "errors": errors, "failovers": self.failovers, "schools_answered": len(self.answered_schools),
                "statuses": {str(k): v for k, v in sorted(Counter(s for *_, s in self.records).items())}}


def publish_document(port: int, slug: str) -> None:
    """A school's lead signs in, uploads DOCUMENT and publishes it (the admin pages, over HTTP)."""
    import requests

    base = f"http://127.0.0.1:{port}/s/{slug}"
    session = requests.Session()

    def token(html: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    page = session.get(f"{base}/admin/sign-in").text
    session.post(f"{base}/admin/sign-in", data={"name": "lead", "password": PASSWORD, "csrf_token": token(page)})
    form = session.get(f"{base}/admin/documents").text
    uploaded = session.post(f"{base}/admin/documents", files={"file": ("procedure.txt", DOCUMENT.encode())}, data={
        "title": "Bench School lost property procedure", "publisher": "Bench School", "date": "2026-09-01",
        "url": "https://example.org/lost-property", "licence": "Internal", "procedures": "y",
        "csrf_token": token(form)}, allow_redirects=False)
    if uploaded.status_code != 302:
        raise RuntimeError(f"upload refused ({uploaded.status_code})")
    review_url = f"http://127.0.0.1:{port}{uploaded.headers['Location']}"
    review = session.get(review_url).text
    session.post(review_url + "/publish", data={"csrf_token": token(review)})


def answers_from_it(port: int, slug: str) -> bool:
    try:
        status, body = request(port, "POST", f"/s/{slug}/api/ask", {"question": PROBE}, timeout=30)
    except OSError:
        return False
    if status != 200:
        return False
    answer = json.loads(body)
    return answer["answered"] and any("every Tuesday at noon" in p["quote"] for p in answer["passages"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.schools", description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=200, help="schools the questions go to (default 200)")
    parser.add_argument("--processes", type=int, default=2, help="web processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads per process (default 4)")
    parser.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the timed run (default 60)")
    parser.add_argument("--out", help="folder for bench-schools.json (default: runs/bench-schools-<time>/)")
    args = parser.parse_args(argv)

    questions = [json.loads(line)["question"] for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    postgres, redis = PostgresServer().start(), RedisServer().start()
    shared = Path(tempfile.mkdtemp(prefix="bot-bench-shared-"))
    servers: list[Server] = []
    try:
        total = max(args.schools, *GROW_STEPS)
        slugs = [f"school-{i:04d}" for i in range(total)]
        publisher = slugs[0]
        env = {**os.environ, "BOT_DATABASE_URL": postgres.url, "BOT_SCHOOLS": "1", "BOT_INSTANCE_DIR": str(shared),
               "BOT_RATE_LIMIT_STORAGE": redis.url, "PYTHONUNBUFFERED": "1"}
        # as an operator provisions them: a list of schools imported, then the publishing school's lead
        listing = shared / "schools.csv"
        listing.write_text("address,name\n" + "".join(f"{slug},School {i}\n" for i, slug in enumerate(slugs)),
                           encoding="utf-8")
        bot = [sys.executable, "-m", "bot"]
        subprocess.run([*bot, "schools", "import", str(listing)], env=env, cwd=PROJECT_ROOT, check=True,
                       capture_output=True)
        subprocess.run([*bot, "admin", "add-user", "lead", "--school", publisher, "--password-stdin"], env=env,
                       cwd=PROJECT_ROOT, check=True, capture_output=True, input=PASSWORD + "\n", text=True)
        servers = [Server(env, args.threads) for _ in range(args.processes)]
        start_seconds = [server.start() for server in servers]
        memory_start = [rss_mib(server.proc.pid) for server in servers]
        print(f"{args.processes} processes up ({', '.join(f'{s:.1f}' for s in start_seconds)} s), "
              f"{total} schools in the database", flush=True)

        events: dict = {}

        def scenario(t0: float) -> None:
            def publish() -> None:
                time.sleep(max(0.0, args.seconds * 0.2 - (time.monotonic() - t0)))
                clicked = time.monotonic()
                publish_document(servers[0].port, publisher)
                events["publish_clicked_at_s"] = round(clicked - t0, 1)
                reached: dict[str, float] = {}
                while len(reached) < len(servers) and time.monotonic() - clicked < 600:
                    for server in servers:
                        if str(server.port) not in reached and answers_from_it(server.port, publisher):
                            reached[str(server.port)] = round(time.monotonic() - clicked, 1)
                    time.sleep(0.25)
                events["publish_to_each_process_s"] = list(reached.values())
                events["publish_to_every_process_s"] = max(reached.values()) if len(reached) == len(servers) else None

            def kill() -> None:
                time.sleep(max(0.0, args.seconds * 0.55 - (time.monotonic() - t0)))
                victim = servers[-1]
                events["killed_at_s"] = round(time.monotonic() - t0, 1)
                victim.kill()
                events["restart_to_healthy_s"] = round(victim.start(), 1)

            for job in (publish, kill):
                threading.Thread(target=job, daemon=True).start()

        load = Load(servers, slugs[:args.schools], questions, args.clients)
        load.run(args.seconds, scenario)
        deadline = time.monotonic() + 600
        while "publish_to_every_process_s" not in events and time.monotonic() < deadline:
            time.sleep(1)  # a slow publish is reported, not cut short
        after_kill = [r for r in load.records if r[0] >= events.get("killed_at_s", float("inf"))]
        summary = {"processes": args.processes, "threads_per_process": args.threads, "clients": args.clients,
                   "schools_asked": args.schools, "schools_in_database": total,
                   "cores": os.cpu_count(), "start_seconds": [round(s, 1) for s in start_seconds],
                   "load": load.summary(), "events": events,
                   "errors_after_the_kill": sum(1 for *_, status in after_kill if status != 200)}

        memory: list[dict] = [{"schools_shown": 0, "rss_mib": [round(m, 1) for m in memory_start]}]
        shown = 0
        for step in GROW_STEPS:
            for server in servers:
                for slug in slugs[shown:step]:
                    request(server.port, "GET", f"/s/{slug}/")
            shown = step
            memory.append({"schools_shown": step, "rss_mib": [round(rss_mib(s.proc.pid), 1) for s in servers]})
        summary["memory_by_schools"] = memory
        summary["memory_note"] = ("the first step is read right after start; the first process built the "
                                  "publishing school's index (and holds it); the last process was restarted "
                                  "during the run, so its figures start again from a fresh process")
    finally:
        for server in servers:
            server.stop()
        postgres.stop()
        redis.stop()
        shutil.rmtree(shared, ignore_errors=True)

    out = Path(args.out) if args.out else PROJECT_ROOT / "runs" / \
        f"bench-schools-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-schools.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    s = summary["load"]
    print(f"{s['answers']} answers in {s['seconds']} s: {s['answers_per_second']} answers/s, p50 {s['p50_ms']} ms, "
          f"p95 {s['p95_ms']} ms, errors {s['errors']}, failovers {s['failovers']}, statuses {s['statuses']}, "
          f"{s['schools_answered']} schools answered")
    print(f"publish: clicked at {events.get('publish_clicked_at_s')} s, served by every process after "
          f"{events.get('publish_to_every_process_s')} s (each: {events.get('publish_to_each_process_s')})")
    print(f"kill: at {events.get('killed_at_s')} s, healthy again after {events.get('restart_to_healthy_s')} s; "
          f"errors after the kill {summary['errors_after_the_kill']}")
    for row in memory:
        print(f"memory with {row['schools_shown']:>4} schools shown: {row['rss_mib']} MiB per process")
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
