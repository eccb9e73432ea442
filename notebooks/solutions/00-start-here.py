"""Model solutions for 00-start-here. Try the exercises yourself before reading these."""

import requests


def exercise_1(base_url: str, alice_headers: dict, name: str) -> tuple[int, str]:
    """Create a channel called ``name`` and return (status, Location header)."""
    r = requests.post(f"{base_url}/v1/channels", json={"name": name}, headers=alice_headers, timeout=5)
    return r.status_code, r.headers.get("Location")


def exercise_2(base_url: str, channel_id: str, carol_headers: dict) -> tuple[int, str]:
    """Send a message as a non-member and return (status, error code)."""
    r = requests.post(f"{base_url}/v1/channels/{channel_id}/messages", json={"content": "hi"},
                      headers=carol_headers, timeout=5)
    return r.status_code, r.json()["error"]["code"]
