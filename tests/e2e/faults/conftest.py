"""A small tmpfs of our own (we run as root in CI): a disk that fills, a mount made read-only.
Where mounting is not allowed the tests say so and skip."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)


class SmallDisk:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"

    def fill(self) -> None:
        """Write until the disk refuses: ENOSPC is the point."""
        try:
            with self.filler.open("ab") as handle:
                while True:
                    handle.write(b"\0" * 4096)
                    handle.flush()
        except OSError:
            pass

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def read_only(self) -> None:
        result = _run("mount", "-o", "remount,ro", str(self.path))
        assert result.returncode == 0, result.stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    path = tmp_path / "disk"
    path.mkdir()
    result = _run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(path))
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.strip()}")
    try:
        yield SmallDisk(path)
    finally:
        _run("umount", "-l", str(path))
