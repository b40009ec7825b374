"""The ``newsdigest`` command: run the service locally (serve), invoke one function, fire a schedule,
redrive failed articles, summarize files and extract the article of web pages. A developer tool: it ships with
the local stack, never in the Lambda bundle."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from newsdigest.summarizer.model import Format

DEFAULT_STATE_DIR = Path(".local")


def _serve(args: argparse.Namespace) -> int:
    from newsdigest_local.stack import LocalStack

    parameters = dict(item.split("=", 1) for item in args.parameter)
    stack = LocalStack(
        host=args.host,
        api_port=args.port,
        state_dir=args.state_dir,
        quiet=not args.verbose,
        parameters=parameters,
        run_schedules=not args.no_schedules,
        fetch_loopback_ports=",".join(str(p) for p in args.fetch_loopback_port),
    )
    stack.start()
    origin = (
        "made up for this run; set NEWSDIGEST_API_KEY to choose it"
        if stack.api_key_generated
        else "from NEWSDIGEST_API_KEY"
    )
    schedules = "off (fire them by hand)" if args.no_schedules else "fired on time (newsdigest schedule list)"
    banner = (
        f"newsdigest local stack is up\n  API:          {stack.api_url}\n"
        f"  AWS endpoint: {stack.aws_endpoint} (moto: point AWS_ENDPOINT_URL here)\n"
        f"  API key:      {stack.api_key} ({origin}); send it as x-api-key on POST and DELETE\n"
        f"  Mail:         {stack.mail_dir}/*.eml (every email SES accepted)\n"
        f"  Schedules:    {schedules}\n"
        "  Ctrl-C stops it."
    )
    # SIGINT and SIGTERM both stop it, even when the parent ignores SIGINT; the stop is bounded.
    stack.serve_until_signalled(
        on_ready=lambda: print(banner, flush=True),
        on_signal=lambda: print("\nstopping...", flush=True),
        on_stopped=lambda: print("stopped", flush=True),
        exit_when_stopped=True,
    )
    return 0


def _invoke(args: argparse.Namespace) -> int:
    from newsdigest_local.invoke import invoke

    event = json.loads(Path(args.event).read_text()) if args.event != "-" else json.load(sys.stdin)
    result = invoke(args.function, event, state_dir=args.state_dir, endpoint=args.endpoint)
    print(json.dumps(result, indent=2, default=str))
    return 0


def _schedule_list(args: argparse.Namespace) -> int:
    from newsdigest_local.schedules import schedule_names
    from newsdigest_local.template import Template

    for name in schedule_names(Template.load()):
        print(name)
    return 0


def _schedule_fire(args: argparse.Namespace) -> int:
    from datetime import datetime

    from newsdigest_local.invoke import _running_endpoint, invoke
    from newsdigest_local.schedules import find_schedule, schedule_event
    from newsdigest_local.template import Template

    try:
        schedule = find_schedule(Template.load(), args.name)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    at = datetime.fromisoformat(args.at.replace("Z", "+00:00")) if args.at else None
    if at is not None and at.tzinfo is None:
        print("--at needs a time zone, e.g. 2026-11-29T07:00:00Z", file=sys.stderr)
        return 2
    endpoint = args.endpoint or _running_endpoint(args.state_dir)
    if not endpoint:
        print(
            f"no local stack is running (none noted in {args.state_dir}); start `newsdigest serve`",
            file=sys.stderr,
        )
        return 1
    event = schedule_event(schedule, at)
    result = invoke(schedule["function"], event, state_dir=args.state_dir, endpoint=endpoint)
    print(json.dumps(result, indent=2, default=str))
    return 0


def _redrive(args: argparse.Namespace) -> int:
    from newsdigest_local.invoke import _running_endpoint, invoke
    from newsdigest_local.redrive import failed_article_ids, redrive_event
    from newsdigest_local.resources import provision
    from newsdigest_local.stack import aws_environment
    from newsdigest_local.template import Template

    if not args.ids and not args.all_failed:
        print("name article ids, or --all-failed", file=sys.stderr)
        return 2
    endpoint = args.endpoint or _running_endpoint(args.state_dir)
    if not endpoint:
        print(
            f"no local stack is running (none noted in {args.state_dir}); start `newsdigest serve`",
            file=sys.stderr,
        )
        return 1
    ids = list(dict.fromkeys(args.ids))
    if args.all_failed:
        import os

        os.environ.update(aws_environment(endpoint))
        table = provision(Template.load(), create=False).refs["ArticlesTable"]
        ids += [i for i in failed_article_ids(table, endpoint) if i not in ids]
    if not ids:
        print("no failed articles", file=sys.stderr)
        return 0
    worst = 0
    for article_id in ids:
        result = invoke(
            "IngestFunction", redrive_event(article_id), state_dir=args.state_dir, endpoint=endpoint
        )
        status = int(result.get("statusCode", 500))
        print(f"{article_id}  {'pending again' if status == 202 else f'HTTP {status}'}", flush=True)
        worst = max(worst, 0 if status == 202 else 1)
    return worst


def _summary_json(summary: Any, article_id: str | None = None) -> dict[str, Any]:
    def span(s: Any) -> dict[str, Any] | None:
        return {"text": s.text, "start": s.start, "end": s.end} if s else None

    out: dict[str, Any] = {} if article_id is None else {"id": article_id}
    out |= {
        "status": summary.status,
        "digest": [span(s) for s in summary.digest],
        "outline": [{"heading": o.heading, "gist": span(o.gist)} for o in summary.outline],
        "keywords": list(summary.keywords),
        "reading_time_minutes": summary.reading_time_minutes,
    }
    return out


def _summarize(args: argparse.Namespace) -> int:
    from newsdigest.summarizer import summarize

    stream = sys.stdin if args.file in (None, "-") else open(args.file, encoding="utf-8")  # noqa: SIM115
    with stream:
        if args.jsonl:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    result = summarize(
                        item["body"],
                        item.get("format", args.format or "text"),
                        title=item.get("title") or None,
                        max_sentences=args.sentences,
                    )
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    print(f"line {number}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    return 2
                print(json.dumps(_summary_json(result, item.get("id")), ensure_ascii=False), flush=True)
            return 0
        body = stream.read()
    fmt: Format = args.format or _guess_format(args.file)
    result = summarize(body, fmt, title=args.title, max_sentences=args.sentences)
    print(json.dumps(_summary_json(result), indent=2, ensure_ascii=False))
    return 0


def _guess_format(path: str | None) -> Format:
    suffix = Path(path or "").suffix.lower()
    formats: dict[str, Format] = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
    return formats.get(suffix, "text")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdigest", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the whole service locally on moto's server")
    serve.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    serve.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="where the stack notes its endpoints"
    )
    serve.add_argument(
        "--parameter",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a template parameter, e.g. -p ReadsRequireApiKey=true",
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="show Powertools logs and metrics too")
    serve.add_argument(
        "--no-schedules", action="store_true", help="do not fire the template's schedules on time"
    )
    serve.add_argument(
        "--fetch-loopback-port",
        type=int,
        action="append",
        default=[],
        metavar="PORT",
        help="let the fetcher reach this port on 127.0.0.1 (a feed or page served on this machine); "
        "local only, never possible in a deployment",
    )
    serve.set_defaults(func=_serve)

    invoke = sub.add_parser(
        "invoke", help="run one function of template.yaml on an event (like sam local invoke)"
    )
    invoke.add_argument("function", help="logical id in template.yaml, e.g. IngestFunction")
    invoke.add_argument("--event", "-e", required=True, help="event JSON file (see events/), or - for stdin")
    invoke.add_argument(
        "--endpoint",
        help="AWS endpoint of a running local stack (default: the one `serve` "
        "noted in --state-dir, else an in-process moto)",
    )
    invoke.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    invoke.set_defaults(func=_invoke)

    schedule = sub.add_parser("schedule", help="list the template's schedules, or fire one by hand")
    schedule_sub = schedule.add_subparsers(dest="schedule_command", required=True)
    listing = schedule_sub.add_parser("list", help="print the schedule names, one a line")
    listing.set_defaults(func=_schedule_list)
    fire = schedule_sub.add_parser("fire", help="fire a schedule against the running local stack")
    fire.add_argument("name", help="a name from `newsdigest schedule list`")
    fire.add_argument("--at", help="the scheduled time to pretend (ISO 8601 with zone); default now")
    fire.add_argument(
        "--endpoint", help="AWS endpoint of a running local stack (default: the one `serve` noted)"
    )
    fire.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    fire.set_defaults(func=_schedule_fire)

    redrive = sub.add_parser(
        "redrive",
        help="summarize failed articles again on the running local stack (POST /articles/{id}/summarize)",
    )
    redrive.add_argument("ids", nargs="*", metavar="ID", help="article ids")
    redrive.add_argument("--all-failed", action="store_true", help="every article whose summary failed")
    redrive.add_argument(
        "--endpoint", help="AWS endpoint of a running local stack (default: the one `serve` noted)"
    )
    redrive.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    redrive.set_defaults(func=_redrive)

    summ = sub.add_parser("summarize", help="print the digest and outline of an article file")
    summ.add_argument("file", nargs="?", default="-", help="article file, or - for stdin")
    summ.add_argument("--format", choices=["text", "markdown", "html"], help="default: from the file suffix")
    summ.add_argument("--title", help="the article's title (a leading repeat of it is not a heading)")
    summ.add_argument("--sentences", "-n", type=int, default=3, help="digest length in sentences (default 3)")
    summ.add_argument(
        "--jsonl",
        action="store_true",
        help="read JSON lines {id, title, body, format}, write one result per line",
    )
    summ.set_defaults(func=_summarize)

    from newsdigest.extraction import command as extract_command

    extract = sub.add_parser(
        "extract",
        help="print the article of a web page as JSON (title, text, headings, author, date, language)",
    )
    extract_command.build_parser(extract)
    extract.set_defaults(func=extract_command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `newsdigest summarize x | head` ends quietly
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
