"""Measure what several learners cost one machine: N notebooks run at once, each in its own kernel.

    python tools/hub_resources.py [N] [notebook ...]

Prints the peak memory of all the kernels together (and of the heaviest one), the wall time, and
the CPU seconds they used, which is what docs/jupyterhub.md sizes a class from. Memory is the
resident set of every process this script starts (the kernels, and the servers and workers the
notebooks start), read from /proc every 0.2 s.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def rss_bytes(pid: int) -> int:
    try:
        return int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def run(n: int, notebooks: list[Path]) -> dict:
    """Run ``n`` executions at once (cycling through ``notebooks``); sample memory until all end."""
    jobs = [subprocess.Popen([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                              "--stdout", str(notebooks[i % len(notebooks)])], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=ROOT / "notebooks") for i in range(n)]
    peak_total, peak_one, start = 0, 0, time.monotonic()
    while any(j.poll() is None for j in jobs):
        per_job = [sum(rss_bytes(p) for p in [j.pid, *descendants(j.pid)]) for j in jobs]
        peak_total, peak_one = max(peak_total, sum(per_job)), max(peak_one, *per_job)
        time.sleep(0.2)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"kernels": n, "failed": sum(j.returncode != 0 for j in jobs), "wall_s": time.monotonic() - start,
            "cpu_s": cpu.ru_utime + cpu.ru_stime, "peak_total_mb": peak_total / 2**20, "peak_one_mb": peak_one / 2**20}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    chosen = [Path(p).resolve() for p in sys.argv[2:]] or sorted((ROOT / "notebooks").glob("0*.ipynb"))
    r = run(n, chosen)
    print(f"{r['kernels']} kernels at once ({r['failed']} failed): peak {r['peak_total_mb']:.0f} MB in all, "
          f"{r['peak_one_mb']:.0f} MB for the heaviest; {r['wall_s']:.0f} s wall, {r['cpu_s']:.0f} CPU-s")
