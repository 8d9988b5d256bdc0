"""`./run test`: the suite in three stages, each timed.

1. non-browser: everything outside tests/browser and tests/fuzz, spread over pytest-xdist workers
   (``YINGJI_TEST_WORKERS``, default ``auto`` = one per core; ``0`` runs it in one process);
2. browser: tests/browser on two workers (``YINGJI_OUTSIDE_WORKERS``, default 2; ``0`` or ``1``
   runs it in one process), by module, each worker with its own demo platform and Chromium;
3. fuzz: tests/fuzz on as many workers, one user's run each (schemathesis against a demo
   platform of each worker's own; docs/security.md).

The demo is loaded once, while the first stage runs, into a snapshot that every platform copies
(tests/platform.py). ``YINGJI_TEST_TOGETHER=1`` runs stages 2 and 3 side by side (each one's output
printed when it ends); it is off by default: on two cores it saved little, and on PostgreSQL the
two servers' per-thread connections together passed the server's 100-connection limit.

Extra arguments go to pytest in every stage (``./run test -k scope``). Paths among them pick the
stages: ``./run test tests/duty`` runs only the non-browser stage on tests/duty. With
``--junitxml=FILE`` each stage writes ``FILE-<stage>.xml`` and FILE is their merge, so a check of
FILE sees every test. Exit status: the first failing stage's, 0 when all pass; a stage that
selects no test (pytest's 5) counts as passed unless no stage selected any.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Run as a script, Python puts tests/ first on the path, where platform.py would hide the standard
# library's module of that name: the checkout takes its place, so `tests.platform` is importable.
if sys.path and Path(sys.path[0]).resolve() == REPO / "tests":
    sys.path[0] = str(REPO)
# Folders run as stages of their own after the non-browser stage, each on platforms started from
# the demo snapshot.
SERIAL = {"browser": "tests/browser", "fuzz": "tests/fuzz"}
# How their tests are spread over workers: the browser tests by module (the walk's fixtures stay
# together), the fuzzing by test (one user per worker, each on a platform of its own).
OUTSIDE_DIST = {"browser": "loadfile", "fuzz": "load"}
NO_TESTS = 5


def split_args(args: list[str]) -> tuple[list[str], list[str], str | None]:
    """(pytest options, test paths, junit file) from the command line."""
    options, paths, junit = [], [], None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--junitxml=") or arg.startswith("--junit-xml="):
            junit = arg.split("=", 1)[1]
        elif arg in ("--junitxml", "--junit-xml") and i + 1 < len(args):
            junit = args[i + 1]
            i += 1
        elif not arg.startswith("-") and is_path(arg) and not (options and options[-1] in VALUE_OPTIONS):
            paths.append(arg)
        else:
            options.append(arg)
        i += 1
    return options, paths, junit


VALUE_OPTIONS = {"-k", "-m", "-n", "-p", "-c", "-o", "--deselect", "--ignore", "--maxfail", "--dist", "--durations",
                 "--numprocesses", "--rootdir", "--basetemp", "-W", "--tb"}


def is_path(arg: str) -> bool:
    target = arg.split("::", 1)[0]
    return "::" in arg or target.endswith(".py") or (REPO / target).exists() or Path(target).exists()


def in_folder(path: str, folder: str) -> bool:
    rel = os.path.relpath(os.path.abspath(path.split("::", 1)[0]), REPO)
    return rel == folder or rel.startswith(folder + os.sep)


def contains_folder(path: str, folder: str) -> bool:
    rel = os.path.relpath(os.path.abspath(path), REPO)
    return "::" not in path and (rel == "." or folder.startswith(rel.rstrip(os.sep) + "/"))


def plan(options: list[str], paths: list[str]) -> list[tuple[str, list[str]]]:
    workers = os.environ.get("YINGJI_TEST_WORKERS", "auto")
    chosen = any(o == "-n" or o.startswith(("-n", "--numprocesses")) for o in options)
    parallel = [] if workers in ("0", "1") or chosen else ["-n", workers, "--dist", "loadfile"]
    # The stages that test a platform from outside run on workers of their own too, each worker
    # with its own copy of the demo platform (one server process, so one core at most) and Chromium.
    outside_workers = os.environ.get("YINGJI_OUTSIDE_WORKERS", "2")
    spread = outside_workers not in ("0", "1") and not chosen
    workers_of = {name: ["-n", outside_workers, "--dist", dist] if spread else [] for name, dist in OUTSIDE_DIST.items()}
    serial: dict[str, list[str]] = {name: [] for name in SERIAL}
    if paths:
        others = [p for p in paths if not any(in_folder(p, folder) for folder in SERIAL.values())]
        for name, folder in SERIAL.items():
            serial[name] = [p for p in paths if in_folder(p, folder)]
        for name, folder in SERIAL.items():
            if any(contains_folder(p, folder) for p in others):  # e.g. `./run test tests`
                serial[name].append(folder)
        if others:
            others += [f"--ignore={folder}" for name, folder in SERIAL.items() if folder in serial[name]]
    else:
        others = ["tests", *(f"--ignore={folder}" for folder in SERIAL.values())]
        serial = {name: [folder] for name, folder in SERIAL.items()}
    stages = []
    if others:
        stages.append(("non-browser", parallel + others))
    stages += [(name, workers_of[name] + selection) for name, selection in serial.items() if selection]
    return stages


def merge_junit(target: Path, parts: list[Path]) -> None:
    merged = ET.Element("testsuites")
    for part in parts:
        if not part.exists():
            continue
        root = ET.parse(part).getroot()
        merged.extend([root] if root.tag == "testsuite" else list(root))
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(merged).write(target, encoding="utf-8", xml_declaration=True)


def run_alone(name: str, command: list[str], env: dict) -> tuple[str, int, float]:
    print(f"== stage {name}: {' '.join(command[6:])}", flush=True)
    started = time.monotonic()
    code = subprocess.call(command, cwd=REPO, env=env)
    elapsed = time.monotonic() - started
    print(f"== stage {name}: {elapsed:.0f} s, exit {code}", flush=True)
    return name, code, elapsed


def run_together(commands: list[tuple[str, list[str]]], env: dict, logs: Path) -> list[tuple[str, int, float]]:
    """Start every stage at once (each on its own platform); print each one's output when it ends."""
    started, running, results = time.monotonic(), {}, []
    for name, command in commands:
        print(f"== stage {name}: {' '.join(command[6:])} (alongside the others; output when it ends)", flush=True)
        log = open(logs / f"{name}.log", "w+")
        running[name] = (subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT), log)
    while running:
        for name, (process, log) in list(running.items()):
            if process.poll() is None:
                continue
            elapsed = time.monotonic() - started
            log.seek(0)
            sys.stdout.write(log.read())
            log.close()
            print(f"== stage {name}: {elapsed:.0f} s, exit {process.returncode}", flush=True)
            results.append((name, process.returncode, elapsed))
            del running[name]
        time.sleep(0.5)
    return results


def timed_load(stack: contextlib.ExitStack, snapshot) -> tuple[str, float]:
    """Enter the snapshot's context on ``stack``: (its value, the seconds the load took)."""
    started = time.monotonic()
    return stack.enter_context(snapshot), time.monotonic() - started


def main(args: list[str]) -> int:
    from tests.platform import SNAPSHOT_ENV, demo_snapshot

    options, paths, junit = split_args(args)
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    results, parts = [], []
    stop_early = any(o in ("-x", "--exitfirst") for o in options)
    commands, snapshot_time = [], None
    for name, selection in plan(options, paths):
        extra = []
        if junit:
            part = Path(junit).with_name(f"{Path(junit).stem}-{name}.xml")
            parts.append(part)
            extra = [f"--junitxml={part}"]
        commands.append((name, pytest + selection + options + extra))
    inside = [(name, command) for name, command in commands if name not in SERIAL]
    outside = [(name, command) for name, command in commands if name in SERIAL]
    with contextlib.ExitStack() as stack:
        loading = None
        if outside:
            # The stages that test the platform from outside each start one from the same demo,
            # loaded once (tests/platform.py) while the non-browser stage runs (one process beside
            # the stage's workers: the two together take less time than one after the other).
            where = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="yingji-stages-")))
            (where / "demo").mkdir()
            print("== demo snapshot: loading the demo once for " + ", ".join(name for name, _ in outside)
                  + (" (beside the first stage)" if inside else ""), flush=True)
            # Entered on the stack from the loading thread: the snapshot's database is dropped when
            # the stack closes, and the stack waits for the load before it closes the directory.
            loading = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="demo-snapshot")).submit(
                timed_load, stack, demo_snapshot(where / "demo"))
        for name, command in inside:
            results.append(run_alone(name, command, dict(os.environ)))
        if loading is not None:
            waited = time.monotonic()
            snapshot, snapshot_time = loading.result()  # a failed load is raised here
            print(f"== demo snapshot: loaded in {snapshot_time:.0f} s; waited {time.monotonic() - waited:.0f} s for it",
                  flush=True)
        if outside and not (stop_early and any(code not in (0, NO_TESTS) for _, code, _ in results)):
            # One stage after the other unless YINGJI_TEST_TOGETHER=1.
            env = dict(os.environ, **{SNAPSHOT_ENV: snapshot})
            if len(outside) > 1 and os.environ.get("YINGJI_TEST_TOGETHER", "0") == "1":
                results += run_together(outside, env, where)
            else:
                for name, command in outside:
                    results.append(run_alone(name, command, env))
                    if stop_early and results[-1][1] not in (0, NO_TESTS):
                        break
    if junit:
        merge_junit(Path(junit), parts)
    print("== stage times: " + ", ".join(f"{name} {elapsed:.0f} s" for name, _, elapsed in results)
          + (f" (demo snapshot {snapshot_time:.0f} s)" if snapshot_time is not None else ""), flush=True)
    failed = [code for _, code, _ in results if code not in (0, NO_TESTS)]
    if failed:
        return failed[0]
    return NO_TESTS if all(code == NO_TESTS for _, code, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
