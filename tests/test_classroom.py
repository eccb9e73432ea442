"""Many learners, one class Redis: two kernels running chapter 03 at once each get the committed results."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from apidesign.paths import NOTEBOOKS, ROOT

NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
         "--nbval-cell-timeout", "300", "-p", "no:cacheprovider", "-q"]


@pytest.mark.redis
def test_two_learners_running_chapter_03_at_once_on_one_redis_both_pass_nbval(redis_url, tmp_path):
    """Each kernel's keys carry its own namespace, so neither sees the other's counters."""
    notebook = NOTEBOOKS / "03-rate-limiting.ipynb"
    env = {**os.environ, "REDIS_URL": redis_url}

    def learner(n):
        return subprocess.run([sys.executable, "-m", "pytest", str(notebook), *NBVAL, "--basetemp", str(tmp_path / f"l{n}")],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(learner, [1, 2]))
    for run in runs:
        assert run.returncode == 0, run.stdout[-3000:]
