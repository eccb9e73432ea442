"""Regenerate data/ratelimit-trace.csv, the seeded request trace the rate-limiting notebook replays.

    python tools/make_ratelimit_trace.py
"""

from apidesign.paths import DATA
from apidesign.ratelimit.simulate import save_trace, synthetic_trace

if __name__ == "__main__":
    path = DATA / "ratelimit-trace.csv"
    times = synthetic_trace()
    save_trace(times, path)
    print(f"wrote {len(times)} requests to {path}")
