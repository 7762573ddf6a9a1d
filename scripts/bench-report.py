#!/usr/bin/env python3
"""Turns the raw results of a benchmark script into a section of BENCHMARKS.md.

Usage: bench-report.py api RESULTS_DIR DURATION
       bench-report.py grader-table RESULTS_DIR PREV   # prints a table to stdout
       bench-report.py section NAME TABLE_FILE COMMAND

Each section sits between <!-- NAME-benchmark:start --> and <!-- NAME-benchmark:end -->
markers, so a new run replaces only its own section.
"""
import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB, {platform.system()} {platform.release()}"


def k6(path: Path, trend: str, rate: str = "iterations"):
    data = json.loads(path.read_text())["metrics"]
    t = data[trend]
    return {
        "rate": data[rate]["rate"],
        "p50": t["med"],
        "p95": t["p(95)"],
        "p99": t["p(99)"],
        "failed": data.get("http_req_failed", {}).get("value", 0.0),
    }


def wrk(path: Path):
    text = path.read_text()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rate": rate, "p50": pct(50), "p99": pct(99)}


def replace_section(name: str, body: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\nMeasured numbers; each section says how it was run.\n"
    start, end = f"<!-- {name}-benchmark:start -->", f"<!-- {name}-benchmark:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def api(results: Path, duration: str) -> str:
    browse = k6(results / "browse.json", "http_req_duration{name:assignment}")
    submit = k6(results / "submit.json", "http_req_duration{name:submit}")
    cached, uncached, nginx = (wrk(results / f"wrk-{n}.txt") for n in ("cached", "uncached", "nginx"))
    commit = measured_commit()
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""## programming-api

Command: `scripts/bench-api.sh` (k6 runs of {duration}; wrk runs of 15 s, 1 thread, 100 connections).
Machine: {machine()}. Commit {commit}, {when}. Release build, Postgres and Redis as local
processes on the same machine; k6 and wrk share the cores with the server.

| load | requests/s | p50 ms | p95 ms | p99 ms | aim |
| --- | ---: | ---: | ---: | ---: | --- |
| k6 browse: GET /api/assignments/{{id}}, 100 VUs | {browse['rate']:.0f} | {browse['p50']:.2f} | {browse['p95']:.2f} | {browse['p99']:.2f} | ≥ 10,000/s, p95 < 10 ms |
| k6 submit: POST submission, fresh learner and code each, 50 VUs | {submit['rate']:.0f} | {submit['p50']:.2f} | {submit['p95']:.2f} | {submit['p99']:.2f} | ≥ 2,000/s, p95 < 25 ms |
| wrk: GET /api/assignments/{{id}}, cached | {cached['rate']:.0f} | {cached['p50']:.2f} | | {cached['p99']:.2f} | |
| wrk: the same, query cache off (Postgres every time) | {uncached['rate']:.0f} | {uncached['p50']:.2f} | | {uncached['p99']:.2f} | cached faster |
| wrk: nginx serving the same JSON from a file (the machine's ceiling) | {nginx['rate']:.0f} | {nginx['p50']:.2f} | | {nginx['p99']:.2f} | |

Submit rate counts submissions (each k6 iteration also creates its learner first, so the
server handles twice as many requests). Failed requests: browse {browse['failed']:.2%}, submit {submit['failed']:.2%}.

{(results / 'browse-cpu.txt').read_text().strip() if (results / 'browse-cpu.txt').exists() else ''}
{beside(results)}
{notes('api')}"""


def beside(results: Path) -> str:
    """The same loads against an earlier release (PREV), run just after this
    tree's in the same script: its k6 runs and its cached wrk, side by side."""
    prev = results / "prev"
    if not (prev / "commit").exists():
        return ""
    label = (prev / "commit").read_text().strip()
    lines = [f"\nBeside {label}, measured right after this tree in the same run:\n",
             f"| load | this tree | {label} |", "| --- | ---: | ---: |"]
    for title, name, trend in (("k6 browse, 100 VUs: requests/s, p50 / p95 ms", "browse", "assignment"),
                               ("k6 submit, 50 VUs: submissions/s, p50 / p95 ms", "submit", "submit")):
        now, then = (k6(d / f"{name}.json", f"http_req_duration{{name:{trend}}}") for d in (results, prev))
        lines.append(f"| {title} | {now['rate']:.0f}, {now['p50']:.2f} / {now['p95']:.2f} "
                     f"| {then['rate']:.0f}, {then['p50']:.2f} / {then['p95']:.2f} |")
    now, then = wrk(results / "wrk-cached.txt"), wrk(prev / "wrk-cached.txt")
    lines.append(f"| wrk cached: requests/s, p50 / p99 ms | {now['rate']:.0f}, {now['p50']:.2f} / {now['p99']:.2f} "
                 f"| {then['rate']:.0f}, {then['p50']:.2f} / {then['p99']:.2f} |")
    return "\n".join(lines) + "\n"


def rows(path: Path) -> dict:
    """The `| measure | value |` rows of a table the grader bench printed."""
    out = {}
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("measure", "---"):
            out[cells[0]] = cells[1]
    return out


def number(text: str) -> float:
    return float(re.match(r"[\d.]+", text.replace(",", "")).group(0))


# Rows whose wording changed between releases, by their wording now.
SAME_ROW = {"submitted (row + XADD) to published verdict": "XADD to published verdict"}


def same_row(key: str) -> str:
    for now, before in SAME_ROW.items():
        key = key.replace(now, before)
    return key


def grader_table(results: Path, prev: str) -> str:
    now = rows(results / "grader-now.md")
    before = rows(results / "grader-prev.md") if prev and (results / "grader-prev.md").exists() else {}
    before = {k: before.get(same_row(k), before.get(k, "")) for k in now}
    if not any(before.values()):
        before = {}
    head = f"| measure | this tree | {prev} |" if before else "| measure | value |"
    lines = [head, "| --- | ---: | ---: |" if before else "| --- | ---: |"]
    for key, value in now.items():
        lines.append(f"| {key} | {value} | {before.get(key, '')} |" if before else f"| {key} | {value} |")
    lines.append("")
    for mode, aim in (("docker", None), ("pool", 0.30)):
        key = f"{mode}: latency ÷ floor"
        if key in now:
            ratio = number(now[key])
            goal = f" (aim ≤ {aim:.2f}: {'met' if ratio <= aim else 'NOT met'})" if aim else ""
            lines.append(f"- {mode}: latency ÷ floor {ratio:.2f}{goal}.")
    key = "pool: throughput (1 replica × 2) ÷ no-isolation limit"
    if key in now:
        ratio = number(now[key])
        lines.append(f"- pool: throughput ÷ the no-isolation limit {ratio:.2f} (aim ≥ 0.50: {'met' if ratio >= 0.5 else 'NOT met'}).")
    if before:
        for key in (k for k in now if "throughput, " in k and k in before and before[k]):
            change = number(now[key]) / number(before[key])
            lines.append(f"- {key}: this tree ÷ {prev} = {change:.2f}")
        one = next(k for k in now if "throughput, 1 replica" in k)
        change = number(now[one]) / number(before[one])
        verdict = "met" if change >= 0.9 else "NOT met"
        lines.append("")
        lines.append(f"Throughput with 1 replica, this tree ÷ {prev}: {change:.2f} (aim ≥ 0.90: {verdict}).")
    return "\n".join(lines)


def measured_commit() -> str:
    """The commit measured: BENCH_COMMIT when the script set it at its start
    (a long run must not name a commit made while it ran), else HEAD."""
    return os.environ.get("BENCH_COMMIT") or subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()


def notes(name: str) -> str:
    """The hand-written reading of a benchmark, kept beside it in benchmarks/."""
    path = ROOT / "benchmarks" / f"{name}.md"
    return path.read_text() if path.exists() else ""


def section(name: str, table: Path, command: str) -> str:
    commit = measured_commit()
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    extra = notes(name)
    return f"""## {name}

Command: `{command}`. Machine: {machine()}. Commit {commit}, {when}.

{table.read_text().strip()}

{extra}"""


def main() -> None:
    kind = sys.argv[1]
    if kind == "api":
        body = api(Path(sys.argv[2]), sys.argv[3])
        replace_section(kind, body)
    elif kind == "grader-table":
        print(grader_table(Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else ""))
        return
    elif kind == "k6-rows":
        # Browse and submit beside another benchmark, in its table's shape.
        results, label = Path(sys.argv[2]), sys.argv[3]
        browse = k6(results / "browse.json", "http_req_duration{name:assignment}")
        submit = k6(results / "submit.json", "http_req_duration{name:submit}")
        for name, r in ((f"k6 browse, 100 VUs ({label}): requests/s, p50 / p95", browse),
                        (f"k6 submit, 50 VUs ({label}): submissions/s, p50 / p95", submit)):
            print(f"| {name} | {r['rate']:.0f}/s, {r['p50']:.2f} / {r['p95']:.2f} ms "
                  f"({r['failed']:.2%} failed) |")
        return
    elif kind == "section":
        name = sys.argv[2]
        body = section(name, Path(sys.argv[3]), sys.argv[4])
        replace_section(name, body)
    else:
        sys.exit(f"unknown benchmark {kind}")
    print(body)


if __name__ == "__main__":
    main()
