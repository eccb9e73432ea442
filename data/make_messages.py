"""Build the generated message databases into data/cache/ (git-ignored).

    .venv/bin/python data/make_messages.py            # the 1,000,000-message channel
    .venv/bin/python data/make_messages.py 100000     # another size
    .venv/bin/python data/make_messages.py --force    # rebuild even if cached

The notebook and benchmarks/pagination.py call apidesign.datasets.message_history(),
which builds the same file on first use, so running this script first is optional.
"""

import sys
import time

from apidesign.datasets import build, history_path

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--force"]
    n = int(args[0]) if args else 1_000_000
    path = history_path(n)
    if path.exists() and "--force" not in sys.argv:
        print(f"{path} exists ({path.stat().st_size / 1e6:.0f} MB); --force rebuilds it")
    else:
        start = time.perf_counter()
        build(path, n)
        print(f"built {path} with {n:,} messages in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)")
