"""The fault suite: the local stack under concurrent load, injected summarizer faults, duplicated and
concurrent email jobs, and hostile inputs; one table of what ended where.

``make chaos`` runs it at full size; tests/e2e/test_chaos.py runs a small seeded version inside
``make test``. Everything is bounded (sizes, deadlines) and seeded (the articles, the hostile inputs and
which invocations fail), so a run can be repeated.
"""

from __future__ import annotations

import html
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import requests
from newsdigest.articles.ids import article_id
from newsdigest.subscriptions.models import Preferences

from tests.chaos.faults import Injector
from tests.chaos.hostile import hostile_requests

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "chaos-key"
WRITE = {"x-api-key": API_KEY}
PREFS = Preferences(frequency="daily", timezone="Europe/Paris", send_hour=7)
SUMMARIZED = ("ready", "too_short", "failed")
ARTICLE_SCENARIOS = (
    "none",
    "crash_some_records",
    "transient",
    "crash_invocation",
    "crash_after_write",
    "redelivery",
    "replay_old_version",
)
LABELS = {
    "none": "concurrent load, no fault",
    "crash_some_records": "summarizer crashes on some records",
    "crash_some_records+redrive": "  ... then redrive --all-failed",
    "transient": "transient record failures",
    "crash_invocation": "crash of the whole invocation",
    "crash_after_write": "crash after the write",
    "redelivery": "redelivery of a batch",
    "replay_old_version": "replay of an old version",
}


@dataclass
class ArticleRow:
    scenario: str
    posted: int = 0
    ready: int = 0
    too_short: int = 0
    failed: int = 0
    lost: int = 0
    stuck: int = 0
    stale: int = 0
    http_5xx: int = 0
    injected: int = 0


@dataclass
class MailRow:
    scenario: str
    subscribers: int = 0
    digests: int = 0
    duplicates: int = 0
    missing: int = 0
    injected: int = 0


@dataclass
class HostileRow:
    tried: int = 0
    http_5xx: int = 0
    half_stored: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class Report:
    seed: int
    articles: list[ArticleRow] = field(default_factory=list)
    mail: list[MailRow] = field(default_factory=list)
    hostile: HostileRow = field(default_factory=HostileRow)
    seconds: float = 0.0
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def problems(self) -> list[str]:
        found = []
        for row in self.articles:
            for name in ("lost", "stuck", "stale", "http_5xx"):
                if getattr(row, name):
                    found.append(f"{row.scenario}: {name} = {getattr(row, name)}")
        for mail in self.mail:
            if mail.duplicates or mail.missing:
                found.append(f"{mail.scenario}: duplicates {mail.duplicates}, missing {mail.missing}")
        if self.hostile.http_5xx or self.hostile.half_stored:
            found.append(
                f"hostile: 5xx {self.hostile.http_5xx}, half-stored {self.hostile.half_stored}: "
                + "; ".join(self.hostile.examples[:5])
            )
        return found

    def table(self) -> str:
        phases = ", ".join(f"{name} {secs:.0f} s" for name, secs in self.phase_seconds.items())
        out = [f"newsdigest chaos - seed {self.seed}, {self.seconds:.0f} s ({phases})", ""]
        head = (
            "articles",
            "posted",
            "ready",
            "too_short",
            "failed",
            "lost",
            "stuck",
            "stale",
            "5xx",
            "faults",
        )
        out.append(f"{head[0]:<38}" + "".join(f"{h:>10}" for h in head[1:]))
        for r in self.articles:
            values = (
                r.posted,
                r.ready,
                r.too_short,
                r.failed,
                r.lost,
                r.stuck,
                r.stale,
                r.http_5xx,
                r.injected,
            )
            out.append(f"{LABELS.get(r.scenario, r.scenario):<38}" + "".join(f"{v:>10}" for v in values))
        out.append("")
        head = (
            "emails",
            "subscribers",
            "digests",
            "dup (outside SES-accepted-then-crash window)",
            "missing",
            "faults",
        )
        out.append(f"{head[0]:<38}{head[1]:>12}{head[2]:>9}{head[3]:>46}{head[4]:>9}{head[5]:>8}")
        for m in self.mail:
            out.append(
                f"{m.scenario:<38}{m.subscribers:>12}{m.digests:>9}{m.duplicates:>46}{m.missing:>9}{m.injected:>8}"
            )
        out.append("")
        h = self.hostile
        out.append(f"{'hostile inputs':<38}{'tried':>10}{'5xx':>10}{'stored half-way':>17}")
        out.append(f"{'':<38}{h.tried:>10}{h.http_5xx:>10}{h.half_stored:>17}")
        problems = self.problems()
        out += ["", "OK: nothing lost, stuck, duplicated or half-stored" if not problems else "PROBLEMS:"]
        out += [f"  {p}" for p in problems]
        return "\n".join(out)


# ---------------------------------------------------------------- articles
WORDS = [
    "harbour",
    "council",
    "ferry",
    "budget",
    "school",
    "river",
    "bridge",
    "market",
    "station",
    "library",
    "hospital",
    "museum",
    "festival",
    "tram",
    "airport",
    "port",
    "grid",
    "turbine",
    "vaccine",
    "election",
    "court",
    "stadium",
    "tunnel",
    "reservoir",
    "orchestra",
]
VERBS = [
    "approved",
    "delayed",
    "opened",
    "closed",
    "expanded",
    "reviewed",
    "funded",
    "rejected",
    "announced",
    "inspected",
]


def sentence(rng: random.Random) -> str:
    a, b = rng.sample(WORDS, 2)
    tail = " ".join(rng.sample(WORDS, rng.randint(2, 6)))
    return f"The {a} {rng.choice(VERBS)} the {b} plan on Tuesday after talks about {tail}."


def make_article(rng: random.Random, namespace: str, n: int) -> dict[str, Any]:
    kind = rng.random()
    url = f"https://chaos.example/{namespace}/{n}"
    title = f"{namespace} story {n}: the {rng.choice(WORDS)} {rng.choice(VERBS)}"
    if kind < 0.12:
        return {"title": title, "format": "text", "url": url, "body": sentence(rng)}  # too short
    if kind < 0.22:
        sections = rng.randint(5, 200)
        parts = [f"<h2>Part {i}</h2><p>{sentence(rng)} {sentence(rng)}</p>" for i in range(sections)]
        return {
            "title": title,
            "format": "html",
            "url": url,
            "body": "<html><body>" + "".join(parts) + "</body></html>",
        }
    if kind < 0.25:  # over the inline limit: offloaded to the content bucket
        body = "\n\n".join(" ".join(sentence(rng) for _ in range(8)) for _ in range(120))
        return {"title": title, "format": "text", "url": url, "body": body}
    paragraphs = [
        "\n\n".join(
            " ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(3, 9))
        )
    ]
    return {"title": title, "format": rng.choice(["text", "markdown"]), "url": url, "body": paragraphs[0]}


class Client:
    def __init__(self, api: str) -> None:
        self.api = api
        self.session = requests.Session()
        self.http_5xx = 0

    def post(self, path: str, payload: Any, headers: dict[str, str] | None = None) -> requests.Response:
        response = requests.post(f"{self.api}{path}", json=payload, headers=headers or WRITE, timeout=60)
        if response.status_code >= 500:
            self.http_5xx += 1
        return response


def post_load(client: Client, rng: random.Random, namespace: str, count: int, workers: int) -> set[str]:
    """``count`` articles posted from ``workers`` threads: singles, batches of 5, changed re-posts (new
    versions) and racing re-posts of the same URL with different bodies."""
    articles = [make_article(rng, namespace, n) for n in range(count)]
    tasks: list[tuple[str, Any]] = []
    i = 0
    while i < count:
        if rng.random() < 0.2 and i + 5 <= count:
            tasks.append(("/articles/batch", {"articles": articles[i : i + 5]}))
            i += 5
        else:
            tasks.append(("/articles", articles[i]))
            i += 1
    for article in rng.sample(articles, max(1, count // 10)):  # new versions, racing with the first post
        changed = dict(article, body=article["body"] + " " + sentence(rng))
        tasks.insert(rng.randrange(len(tasks) + 1), ("/articles", changed))
    accepted: set[str] = set()

    def send(task: tuple[str, Any]) -> list[str]:
        path, payload = task
        response = client.post(path, payload)
        if response.status_code not in (200, 201):
            return []
        body = response.json()
        if path.endswith("/batch"):
            return [r["id"] for r in body["results"] if r.get("id") and r["status"] != "error"]
        return [body["id"]]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for ids in pool.map(send, tasks):
            accepted.update(ids)
    return accepted


def articles_table(stack: Any) -> Any:
    return boto3.resource("dynamodb", endpoint_url=stack.aws_endpoint).Table(
        stack.resolver.refs["ArticlesTable"]
    )


def scan(table: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    while True:
        page = table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def article_states(stack: Any, ids: set[str]) -> dict[str, dict[str, Any]]:
    projection = {
        "ProjectionExpression": "id, summary_status, content_hash, summary.content_hash, summary.#e",
        "ExpressionAttributeNames": {"#e": "error"},
    }
    return {item["id"]: item for item in scan(articles_table(stack), **projection) if item["id"] in ids}


def queue_empty(stack: Any, logical: str) -> bool:
    sqs = boto3.client("sqs", endpoint_url=stack.aws_endpoint)
    attrs = sqs.get_queue_attributes(
        QueueUrl=stack.resolver.refs[logical],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return not int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def settle(stack: Any, ids: set[str], deadline: float) -> dict[str, dict[str, Any]]:
    """Wait until no article of ``ids`` is pending and the failure queue is drained (or the deadline)."""
    while True:
        states = article_states(stack, ids)
        pending = [i for i in ids if states.get(i, {}).get("summary_status") == "pending"]
        if not pending and queue_empty(stack, "SummarizeFailureQueue"):
            return states
        if time.monotonic() > deadline:
            return states
        time.sleep(0.1)


def count(row: ArticleRow, ids: set[str], states: dict[str, dict[str, Any]]) -> ArticleRow:
    row.posted = len(ids)
    for article in ids:
        state = states.get(article)
        if state is None:
            row.lost += 1
            continue
        status = state["summary_status"]
        if status == "pending":
            row.stuck += 1
        elif status in SUMMARIZED:
            setattr(row, status, getattr(row, status) + 1)
            if (state.get("summary") or {}).get("content_hash") != state["content_hash"]:
                row.stale += 1  # a summary of another version than the stored one
    return row


def article_scenario(
    stack: Any,
    client: Client,
    injector: Injector,
    scenario: str,
    rng: random.Random,
    size: int,
    workers: int,
    wait: float,
) -> list[ArticleRow]:
    injector.start(scenario)
    namespace = f"{scenario}-{rng.randrange(10**6)}"
    if scenario == "crash_some_records":
        urls = [f"https://chaos.example/{namespace}/{n}" for n in range(size)]
        injector.poisoned = {
            article_id(url=u, title="", body="") for u in rng.sample(urls, max(1, size // 10))
        }
    before = client.http_5xx
    ids = post_load(client, rng, namespace, size, workers)
    states = settle(stack, ids, time.monotonic() + wait)
    row = count(
        ArticleRow(scenario, injected=injector.injected, http_5xx=client.http_5xx - before), ids, states
    )
    rows = [row]
    if scenario == "crash_some_records":
        # the fix ships: the poison is gone; put the failed articles back
        injector.start("none")
        failed = sorted(i for i, s in states.items() if s["summary_status"] == "failed")
        redrive = subprocess.run(
            [
                sys.executable,
                "-m",
                "newsdigest_local.cli",
                "redrive",
                "--all-failed",
                "--endpoint",
                stack.aws_endpoint,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if redrive.returncode != 0:
            raise RuntimeError(f"newsdigest redrive failed: {redrive.stderr}")
        time.sleep(0.5)
        states = settle(stack, ids, time.monotonic() + wait)
        rows.append(count(ArticleRow("crash_some_records+redrive", injected=len(failed)), ids, states))
    injector.start("none")
    return rows


# ---------------------------------------------------------------- emails
def sent_digests() -> dict[str, int]:
    from newsdigest_local.mail import sent_mail

    from tests.digest_helpers import parse

    counts: dict[str, int] = {}
    for mail in sent_mail():
        message = parse(mail)
        if "List-Unsubscribe" in message:
            for address in mail.destinations:
                counts[address] = counts.get(address, 0) + 1
    return counts


def subscribe_and_confirm(stack: Any, address: str) -> None:
    from tests.digest_helpers import link_token, mail_to

    response = requests.post(
        f"{stack.api_url}/subscriptions",
        json={
            "email": address,
            "frequency": PREFS.frequency,
            "timezone": PREFS.timezone,
            "send_hour": PREFS.send_hour,
        },
        timeout=30,
    )
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 20
    while not mail_to(address) and time.monotonic() < deadline:
        time.sleep(0.05)
    token = link_token(mail_to(address)[-1], "/subscriptions/confirm")
    page = requests.get(f"{stack.api_url}/subscriptions/confirm", params={"token": token}, timeout=30)
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    confirmed = requests.post(action, timeout=30)
    assert confirmed.status_code == 200, confirmed.text


def fire(stack: Any, at: datetime) -> None:
    from newsdigest_local.schedules import find_schedule, schedule_event
    from newsdigest_local.template import Template

    schedule = find_schedule(Template.load(), "HourlyDigest")
    stack.runtime.invoke("DigestScheduleFunction", schedule_event(schedule, at), "chaos: schedule")


def drain_digests(stack: Any, wait: float) -> None:
    deadline = time.monotonic() + wait
    while not queue_empty(stack, "DigestQueue") and time.monotonic() < deadline:
        time.sleep(0.1)


def concurrent_senders(stack: Any, subscribers: list[str], at: datetime, processes: int) -> None:
    """The same jobs handed to several sender processes at once (separate execution environments)."""
    from newsdigest.subscriptions.models import subscriber_id

    records = [
        {
            "messageId": f"chaos-{n}",
            "receiptHandle": f"chaos-{n}",
            "body": json.dumps(
                {"subscriber_id": subscriber_id(a), "scheduled_time": at.isoformat(), "run_id": "chaos"}
            ),
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:chaos",
            "awsRegion": "us-east-1",
        }
        for n, a in enumerate(subscribers)
    ]
    with tempfile.TemporaryDirectory() as folder:
        event = Path(folder) / "jobs.json"
        event.write_text(json.dumps({"Records": records}))
        command = [
            sys.executable,
            "-m",
            "newsdigest_local.cli",
            "invoke",
            "DigestSendFunction",
            "--event",
            str(event),
            "--endpoint",
            stack.aws_endpoint,
            "--state-dir",
            folder,
        ]
        runs = [
            subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(processes)
        ]
        for run in runs:
            run.wait(timeout=300)


def mail_scenario(
    stack: Any, injector: Injector, scenario: str, size: int, wait: float, processes: int
) -> MailRow:
    from tests.digest_helpers import due_time_covering

    addresses = [f"{scenario.replace(' ', '-')}-{n}@chaos.example" for n in range(size)]
    for address in addresses:
        subscribe_and_confirm(stack, address)
    run_time = due_time_covering(PREFS, datetime.now(UTC))
    injector.start("none")
    if scenario == "redelivered jobs":
        injector.start("redeliver_jobs")
        fire(stack, run_time)
    elif scenario == "duplicated jobs":
        fire(stack, run_time)
        fire(stack, run_time)  # the same run twice: every job queued twice
        injector.injected = size
    elif scenario == "concurrent jobs":
        concurrent_senders(stack, addresses, run_time, processes)
        injector.injected = processes
        fire(stack, run_time)  # anyone the racing senders left due is mailed now
    elif scenario == "re-fired schedules":
        fire(stack, run_time)
        drain_digests(stack, wait)
        fire(stack, run_time)
        fire(stack, run_time + timedelta(minutes=30))
        fire(stack, run_time + timedelta(hours=1))
        injector.injected = 3
    drain_digests(stack, wait)
    injected = injector.injected
    injector.start("none")
    injector.injected = injected
    sent = sent_digests()
    row = MailRow(scenario, subscribers=size, injected=injector.injected)
    for address in addresses:
        n = sent.get(address, 0)
        row.digests += n
        row.duplicates += max(0, n - 1)
        row.missing += 1 if n == 0 else 0
    return row


# ---------------------------------------------------------------- hostile inputs
def hostile_phase(stack: Any, tries: list[tuple[str, str, dict[str, str], bytes | None]]) -> HostileRow:
    row = HostileRow()
    for method, path, headers, body in tries:
        row.tried += 1
        try:
            response = requests.request(
                method, f"{stack.api_url}{path}", headers=headers, data=body, timeout=60
            )
            status = response.status_code
        except requests.RequestException as exc:  # the server refused the connection: not a 5xx
            status = 0
            row.examples.append(f"{method} {path[:60]}: {type(exc).__name__}")
        if status >= 500:
            row.http_5xx += 1
            row.examples.append(f"{method} {path[:60]} -> {status}")
    # Anything stored half-way: every article item is whole and readable, every subscriber has its fields
    required = {
        "id",
        "title",
        "format",
        "content_hash",
        "summary_status",
        "feed",
        "ingested_key",
        "updated_at",
    }
    for item in scan(articles_table(stack)):
        whole = required <= item.keys() and (
            "body" in item or {"content_key", "content_sha256"} <= item.keys()
        )
        readable = requests.get(f"{stack.api_url}/articles/{item['id']}", timeout=60).status_code == 200
        if not (whole and readable):
            row.half_stored += 1
            row.examples.append(f"half-stored article {item['id']}")
    subscribers = boto3.resource("dynamodb", endpoint_url=stack.aws_endpoint).Table(
        stack.resolver.refs["SubscribersTable"]
    )
    for item in scan(subscribers):
        if item["sk"] == "subscriber" and not {"email", "status", "created_at"} <= item.keys():
            row.half_stored += 1
            row.examples.append(f"half-stored subscriber {item['id']}")
    return row


# ---------------------------------------------------------------- the run
@contextmanager
def local_stack() -> Iterator[Any]:
    from tests.e2e.conftest import running_stack

    with (
        tempfile.TemporaryDirectory() as state,
        running_stack(api_key=API_KEY, state_dir=Path(state)) as stack,
    ):
        yield stack


def run(
    *,
    seed: int = 7,
    articles: int = 200,
    subscribers: int = 10,
    hostile: int = 330,
    workers: int = 8,
    wait: float = 120.0,
    processes: int = 3,
    scenarios: tuple[str, ...] = ARTICLE_SCENARIOS,
) -> Report:
    started = time.monotonic()
    rng = random.Random(seed)
    tries = hostile_requests(random.Random(seed + 1), hostile, API_KEY)  # made first: cheap, and it must work
    report = Report(seed=seed)
    with local_stack() as stack:
        injector = Injector(seed)
        stack.runtime.around = injector
        client = Client(stack.api_url)
        for scenario in scenarios:
            report.articles += article_scenario(
                stack, client, injector, scenario, rng, articles, workers, wait
            )
        report.phase_seconds["articles"] = time.monotonic() - started
        for scenario in ("redelivered jobs", "duplicated jobs", "concurrent jobs", "re-fired schedules"):
            report.mail.append(mail_scenario(stack, injector, scenario, subscribers, wait, processes))
        report.phase_seconds["emails"] = time.monotonic() - started - sum(report.phase_seconds.values())
        report.hostile = hostile_phase(stack, tries)
        report.phase_seconds["hostile"] = time.monotonic() - started - sum(report.phase_seconds.values())
        stack.runtime.around = None
    report.seconds = time.monotonic() - started
    return report
