"""`make bench`, cold-start section: each handler's import time from the built bundle, against a bare
Powertools resolver measured in the same run.

What a cold start pays for our code is the import of the handler module, in a fresh interpreter, from
`.aws-sam/build/<Function>` (what Lambda unzips into /var/task). For each function and for a peer - a
bare ``APIGatewayRestResolver`` with ``Logger`` and ``Metrics`` and one route, imported from the same
bundle - this starts ``--runs`` fresh processes of the runtime's interpreter (python3.13 for
``Runtime: python3.13``), times the import inside each, and prints the median, the ratio to the peer's
median, and which imports dominate (cumulative ms, median of three ``-X importtime`` processes).
Target: every handler at most 2x the peer.

- The bundle is rebuilt with ``sam build`` unless ``.aws-sam/build`` is newer than template.yaml and
  everything under functions/ (``--build`` forces it, ``--no-build`` never builds).
- The bundle is for arm64; on another machine the native wheels it holds (pydantic_core, markupsafe)
  are replaced by the same versions for this machine, installed once into ``.aws-sam/bench-native``
  and placed ahead of the bundle on ``sys.path``.
- boto3 is not in the bundle: the Lambda runtime provides it. It comes from the same versions as the
  runtime virtualenv's, installed for the runtime's interpreter into ``.aws-sam/bench-native`` and
  compiled, as a runtime's own copy would be.
- Nothing writes bytecode during the runs (``-B``, as on Lambda's read-only /var/task): the bundle's
  own .pyc are what is measured (the peer's module is compiled the same way). Processes run
  round-robin (one of each per round) so that drift hits all alike.

    .venv/bin/python bench/cold_start.py [--runs 15] [--build | --no-build]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
NATIVE = ROOT / ".aws-sam" / "bench-native"
TOOLS = ROOT / ".tools-venv" / "bin"
PEER = "bare resolver"
IMPORTTIME_RUNS = 3  # -X importtime processes per handler; each module's median is shown
# Imports worth naming when they show up: what an import-time budget is usually spent on.
WATCH = (
    "boto3",
    "botocore.session",
    "aws_lambda_powertools.event_handler.openapi.models",
    "aws_lambda_powertools.event_handler.openapi.params",
    "aws_lambda_powertools.event_handler.api_gateway",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.parser",
    "pydantic",
    "jinja2",
    "newsdigest.pages",
    "newsdigest.emails",
)

PEER_SOURCE = """
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

logger = Logger()
metrics = Metrics()
app = APIGatewayRestResolver()


@app.get("/health")
def health():
    return {"status": "ok"}


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event, context):
    return app.resolve(event, context)
"""

CHILD = """
import importlib, sys, time
sys.path[:0] = {path!r}
start = time.perf_counter()
module = importlib.import_module({module!r})
getattr(module, {attr!r})
print(time.perf_counter() - start)
"""


def pyenv_env() -> dict[str, str]:
    env = dict(os.environ)
    if shutil.which("pyenv"):
        versions = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout
        env["PYENV_VERSION"] = ":".join(v for v in versions.split() if re.match(r"^3\.1[1-9]\.", v))
    return env


def load_template():
    sys.path.insert(0, str(ROOT / "infra"))
    from newsdigest_local.template import Resolver, Template

    template = Template.load()
    return template, Resolver(template, {}, {}, {})


def sources_changed_after(stamp: float) -> list[Path]:
    candidates = [ROOT / "template.yaml", *(p for p in (ROOT / "functions").rglob("*") if p.is_file())]
    return [p for p in candidates if "__pycache__" not in p.parts and p.stat().st_mtime > stamp]


def ensure_build(mode: str) -> None:
    built = BUILD / "template.yaml"
    if mode == "never":
        if not built.exists():
            sys.exit(f"no build in {BUILD}: run without --no-build (or `make template-check`)")
        return
    if mode == "auto" and built.exists() and not sources_changed_after(built.stat().st_mtime):
        print(f"reusing {BUILD.relative_to(ROOT)} (newer than template.yaml and functions/)", file=sys.stderr)
        return
    if not (TOOLS / "sam").exists():
        subprocess.run(["make", "-C", str(ROOT), ".tools-venv/.installed"], check=True)
    print("sam build ...", file=sys.stderr)
    built_now = subprocess.run(
        [str(TOOLS / "sam"), "build", "--template", "template.yaml", "--build-dir", str(BUILD)],
        cwd=ROOT,
        env=pyenv_env() | {"SAM_CLI_TELEMETRY": "0"},
        capture_output=True,
        text=True,
    )
    if built_now.returncode != 0:
        sys.exit(f"sam build failed:\n{built_now.stdout[-3000:]}{built_now.stderr[-3000:]}")


def runtime_python(runtime: str) -> str:
    """The interpreter named like the template's Runtime (python3.13)."""
    if shutil.which(runtime) is None:
        sys.exit(f"{runtime} (the template's Runtime) is not on PATH")
    return runtime


def native_overlay(python: str, bundle: Path) -> Path:
    """Packages the bundle holds for another machine, and boto3, installed for this one."""
    version = subprocess.run(
        [python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True,
        text=True,
        env=pyenv_env(),
        check=True,
    ).stdout.strip()
    wanted: list[str] = []
    machine = platform.machine()
    for so in bundle.rglob("*.so"):
        if machine not in so.name:
            top = so.relative_to(bundle).parts[0]
            dist = next(bundle.glob(f"{top}-*.dist-info"), None)
            if dist is not None:
                wanted.append(dist.name.removesuffix(".dist-info").replace("-", "==", 1))
    wanted += [f"{name}=={metadata.version(name)}" for name in ("boto3", "botocore", "s3transfer")]
    wanted = sorted(set(wanted))
    target = NATIVE / f"py{version}-{machine}"
    stamp = target / ".requirements"
    if stamp.exists() and stamp.read_text() == "\n".join(wanted):
        return target
    shutil.rmtree(target, ignore_errors=True)
    print(f"installing {', '.join(wanted)} for this machine into {target.relative_to(ROOT)}", file=sys.stderr)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    installed = subprocess.run(
        [*pip, "--target", str(target), *wanted], env=pyenv_env(), capture_output=True, text=True
    )
    if installed.returncode != 0:
        sys.exit(f"pip could not install {wanted}:\n{installed.stderr[-3000:]}")
    # Everything else the bundle provides comes from the bundle: keep only what was asked for.
    keep = {w.split("==")[0].lower().replace("-", "_") for w in wanted}
    keep |= {"dateutil", "jmespath", "urllib3", "six"} - {p.name for p in bundle.iterdir()}
    for entry in target.iterdir():
        name = re.split(r"[-.]", entry.name)[0].lower()
        if name not in keep and entry.name != "six.py":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(target)],
        env=pyenv_env(),
        check=True,
    )
    stamp.write_text("\n".join(wanted))
    return target


def child_env(base: dict[str, str], function_env: dict[str, str], name: str) -> dict[str, str]:
    env = {k: v for k, v in base.items() if not k.startswith(("PYTHON", "AWS_", "POWERTOOLS_"))}
    env.update(function_env)
    env.update(
        {
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "LAMBDA_TASK_ROOT": "/var/task",
        }
    )
    return env


def import_once(python: str, path: list[str], handler: str, env: dict[str, str], *extra: str) -> str:
    module, attr = handler.rsplit(".", 1)
    code = CHILD.format(path=path, module=module, attr=attr)
    # -I: no user site, no PYTHON* variables; -B: write no bytecode (as on a read-only /var/task).
    result = subprocess.run([python, "-I", "-B", *extra, "-c", code], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"importing {handler} failed:\n{result.stderr[-2000:]}")
    return result.stdout if not extra else result.stderr


def dominant_imports(importtime: str) -> list[tuple[str, float]]:
    """(module, cumulative ms) for the watched modules the handler imported, largest first."""
    found: dict[str, float] = {}
    for line in importtime.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and match.group(4) in WATCH and match.group(4) not in found:
            found[match.group(4)] = int(match.group(2)) / 1000
    # A watched module inside another watched one (botocore under boto3) is named on its own too.
    return sorted(found.items(), key=lambda kv: -kv[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per handler (>= 10)")
    build = parser.add_mutually_exclusive_group()
    build.add_argument("--build", dest="build", action="store_const", const="always", default="auto")
    build.add_argument("--no-build", dest="build", action="store_const", const="never")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.runs < 10:
        parser.error("--runs must be at least 10")

    template, resolver = load_template()
    ensure_build(args.build)
    glob = template.raw["Globals"]["Function"]
    python = runtime_python(glob["Runtime"])
    functions = template.functions
    first_bundle = BUILD / next(iter(functions))
    overlay = native_overlay(python, first_bundle)
    base = pyenv_env()

    with tempfile.TemporaryDirectory() as peer_dir:
        (Path(peer_dir) / "bare_resolver.py").write_text(PEER_SOURCE)
        subprocess.run(
            [python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", peer_dir],
            env=base,
            check=True,
        )
        targets: dict[str, tuple[list[str], str, dict[str, str]]] = {
            PEER: (
                [str(overlay), peer_dir, str(first_bundle)],
                "bare_resolver.lambda_handler",
                child_env(base, {"POWERTOOLS_SERVICE_NAME": "bare"}, "bare"),
            )
        }
        for logical, spec in functions.items():
            bundle = BUILD / logical
            env = child_env(base, resolver.function_environment(spec), logical)
            targets[logical] = ([str(overlay), str(bundle)], spec.handler, env)

        for path, handler, env in targets.values():  # warm the OS file cache; not measured
            import_once(python, path, handler, env)
        times: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.runs):
            for name, (path, handler, env) in targets.items():
                times[name].append(float(import_once(python, path, handler, env)))
        dominant: dict[str, list[tuple[str, float]]] = {}
        for name, (path, handler, env) in targets.items():
            samples = [
                dict(dominant_imports(import_once(python, path, handler, env, "-X", "importtime")))
                for _ in range(IMPORTTIME_RUNS)
            ]
            medians_ms = {m: statistics.median(s.get(m, 0.0) for s in samples) for m in samples[0]}
            dominant[name] = sorted(
                ((m, ms) for m, ms in medians_ms.items() if ms >= 1), key=lambda kv: -kv[1]
            )

    medians = {name: statistics.median(values) for name, values in times.items()}
    peer = medians[PEER]
    version = subprocess.run([python, "-V"], capture_output=True, text=True, env=base).stdout.strip()
    print(
        f"\nCold start: handler import from {BUILD.relative_to(ROOT)} ({version}, {platform.machine()}, "
        f"{args.runs} fresh processes each; target <= 2.00x the bare resolver)\n"
    )
    print(f"{'function':<24} {'median ms':>9} {'min ms':>7} {'x bare':>7}  dominant imports (cumulative ms)")
    for name in [PEER, *functions]:
        ratio = medians[name] / peer
        flag = "" if name == PEER or ratio <= 2.0 else " !"
        imports = ", ".join(f"{m} {ms:.0f}" for m, ms in dominant[name][:5])
        print(
            f"{name:<24} {medians[name] * 1000:>9.0f} {min(times[name]) * 1000:>7.0f} "
            f"{ratio:>6.2f}x{flag:<2} {imports}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "python": version,
                    "runs": args.runs,
                    "median_s": medians,
                    "ratio": {k: v / peer for k, v in medians.items()},
                    "dominant_ms": {k: dict(v) for k, v in dominant.items()},
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
