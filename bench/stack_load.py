"""A bounded load campaign against `newsdigest serve`: the stack process's memory and its shutdown time.

Starts `newsdigest serve` on loopback, then, from this process: posts N articles (HTML, a share of them
shaped to make the summarizer fail: many short sections), posts them all again with a changed body
(--rounds times),
races re-posts of a few of them from many threads, and drops digest jobs on the digest queue. Samples the
stack's resident memory (/proc/<pid>/status) all along, and finally sends SIGTERM and times the exit.

    .venv/bin/python bench/stack_load.py [--articles 300] [--rounds 1] [--term-during-load]

With --term-during-load the SIGTERM is sent while the racing re-posts are still under way (the shutdown
figure that matters); otherwise after the stack has gone quiet.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = "load-key"
WORDS = [
    "harbour",
    "ferry",
    "council",
    "budget",
    "storm",
    "river",
    "school",
    "hospital",
    "minister",
    "trial",
    "election",
    "court",
    "league",
    "season",
    "price",
    "energy",
    "rail",
    "bridge",
    "museum",
    "festival",
    "market",
    "village",
    "wind",
    "solar",
    "coast",
    "police",
    "report",
    "vote",
    "tax",
    "union",
    "strike",
    "health",
    "data",
    "science",
    "climate",
    "flood",
    "drought",
    "farm",
    "water",
    "road",
    "city",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."


def html_body(rng: random.Random, size: int, crash: bool) -> str:
    parts: list[str] = []
    total = 0
    section = 0
    while total < size:
        if crash:  # many tiny sections: the summarized item outgrows DynamoDB's 400 KB item limit
            part = f"<h2>Part {section} {rng.choice(WORDS)}</h2><p>{sentence(rng)}</p>"
        else:
            part = f"<h2>Section {section}</h2>" + "".join(
                f"<p>{sentence(rng)} {sentence(rng)}</p>" for _ in range(6)
            )
        section += 1
        parts.append(part)
        total += len(part)
    return "".join(parts)[:size]


def post(api: str, article: dict) -> int:
    request = urllib.request.Request(
        f"{api}/articles",
        data=json.dumps(article).encode(),
        headers={"Content-Type": "application/json", "x-api-key": KEY},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--size", type=int, default=100_000, help="HTML bytes per article")
    parser.add_argument("--crash-share", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=1, help="times every article is posted again, changed")
    parser.add_argument("--races", type=int, default=480)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quiet-for", type=float, default=5.0, help="seconds without log lines = idle")
    parser.add_argument("--max-wait", type=float, default=600.0)
    parser.add_argument("--term-during-load", action="store_true")
    args = parser.parse_args(argv)

    rng = random.Random(11)
    state = Path(tempfile.mkdtemp(prefix="stack-load-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {"NEWSDIGEST_API_KEY": KEY}
    log_path = state / "serve.log"
    log_file = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdigest.cli", "serve", "--port", str(port), "--state-dir", str(state)],
        cwd=ROOT,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env=env,
    )
    api = f"http://127.0.0.1:{port}"
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set() and proc.poll() is None:
            try:
                peak[0] = max(peak[0], rss_mb(proc.pid))
            except OSError:
                break
            done.wait(0.25)

    try:
        deadline = time.monotonic() + 120
        while not (state / "stack.json").exists():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the stack did not start; see " + str(log_path))
            time.sleep(0.2)
        time.sleep(0.5)
        fresh = rss_mb(proc.pid)
        threading.Thread(target=sample, daemon=True).start()
        started = time.monotonic()

        articles = []
        for i in range(args.articles):
            crash = rng.random() < args.crash_share
            articles.append(
                {
                    "title": f"Load article {i}",
                    "format": "html",
                    "url": f"https://load.example.com/{i}",
                    "body": html_body(rng, 147_000 if crash else args.size, crash),
                }
            )
        statuses: dict[int, int] = {}

        def count(status: int) -> None:
            statuses[status] = statuses.get(status, 0) + 1

        with ThreadPoolExecutor(args.threads) as pool:
            for status in pool.map(lambda a: post(api, a), articles):
                count(status)
            for round_ in range(1, args.rounds + 1):  # each round changes every article: new versions
                changed = [
                    dict(a, body=a["body"].replace("<p>", f"<p>Update {round_}. ", 1)) for a in articles
                ]
                for status in pool.map(lambda a: post(api, a), changed):
                    count(status)

        sqs_jobs = threading.Thread(target=send_jobs, args=(state, args.jobs), daemon=True)
        sqs_jobs.start()
        racers = [changed[i % 40] for i in range(args.races)]
        racers = [dict(a, body=a["body"] + f"<p>Race {n}.</p>") for n, a in enumerate(racers)]
        term_at: float | None = None
        with ThreadPoolExecutor(48) as pool:
            futures = [pool.submit(post, api, a) for a in racers]
            if args.term_during_load:
                time.sleep(3)
                term_at = time.monotonic()
                load_rss = rss_mb(proc.pid)
                proc.send_signal(signal.SIGTERM)
            for future in futures:
                count(future.result())
        if term_at is None:
            wait_quiet(log_path, args.quiet_for, args.max_wait)
            load_rss = rss_mb(proc.pid)
            term_at = time.monotonic()
            proc.send_signal(signal.SIGTERM)
        stopped_at = None
        while proc.poll() is None and time.monotonic() - term_at < 180:
            if stopped_at is None and "\nstopped" in log_path.read_text(errors="replace")[-2000:]:
                stopped_at = time.monotonic()
            time.sleep(0.05)
        if proc.poll() is None:
            shutdown = "> 180 s (killed)"
        else:
            until_stopped = f"{stopped_at - term_at:.1f} s" if stopped_at else "?"
            shutdown = f"{time.monotonic() - term_at:.1f} s ('stopped' printed after {until_stopped})"
        done.set()
        print(f"stack fresh RSS        {fresh:8.0f} MB")
        print(f"stack RSS at SIGTERM   {load_rss:8.0f} MB")
        print(f"stack peak RSS         {peak[0]:8.0f} MB")
        print(f"SIGTERM to exit        {shutdown}  (exit code {proc.returncode})")
        answers = dict(sorted(statuses.items()))
        print(f"campaign               {time.monotonic() - started:.0f} s; answers {answers}")
        print(f"stack log              {log_path}")
    finally:
        done.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log_file.close()
    return 0


def send_jobs(state: Path, jobs: int) -> None:
    import boto3

    described = json.loads((state / "stack.json").read_text())
    sqs = boto3.client(
        "sqs",
        endpoint_url=described["aws_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    url = described["resources"]["DigestQueue"]
    for n in range(jobs):
        body = {"subscriber_id": f"sub-{n % 50}", "scheduled_time": "2026-11-29T07:00:00Z", "run_id": f"r{n}"}
        try:
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
        except Exception:  # the stack was told to stop
            return


def wait_quiet(log_path: Path, quiet_for: float, max_wait: float) -> None:
    deadline = time.monotonic() + max_wait
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_size = log_path.stat().st_size
        if now_size != size:
            size, since = now_size, time.monotonic()
        elif time.monotonic() - since > quiet_for:
            return
        time.sleep(0.5)


if __name__ == "__main__":
    raise SystemExit(main())
