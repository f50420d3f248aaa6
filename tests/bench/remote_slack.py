"""The fake Slack in a process of its own, as Slack is on another machine: its HTTP handling then does not
share the bot's interpreter, which a fake in the same process would slow (and which no deployment has).

``python -m tests.bench.remote_slack TOKEN MEMBERS_JSON`` serves until its standard input closes, having
printed its base URL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tests.slack.fake_slack import FakeSlack


@contextmanager
def remote_fake_slack(token: str, members: dict[str, list[str]]) -> Iterator[str]:
    """The base URL of a fake Slack serving in a child process until the block ends."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.remote_slack", token, json.dumps(members)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError("the fake Slack did not start")
        yield url
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()


def main() -> None:
    token, members = sys.argv[1], json.loads(sys.argv[2])
    with FakeSlack(token) as fake:
        fake.members.update(members)
        print(fake.url, flush=True)
        sys.stdin.read()  # until the parent closes it (or dies)


if __name__ == "__main__":
    main()
