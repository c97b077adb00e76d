"""``agglomap screenshot`` and ``run --screenshots``: misuse is one line, Chromium is
stopped on a timeout, and a screenshot names the sources of the page it shows."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from agglomap.cli import main
from agglomap.export import sidecar_path, write_text
from agglomap.provenance import GEOKZ
from helpers import error_line, hidden_files

# 5. screenshot -----------------------------------------------------------------------


def test_screenshot_refuses_non_html_input(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    started = time.monotonic()
    assert main(["screenshot", str(data), "--out", str(tmp_path / "x.png")]) == 2
    assert time.monotonic() - started < 5
    line = error_line(capsys, "screenshot")
    assert f"{data}: expected an HTML map (.html) to render, got a .csv file" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_screenshot_requires_png_output(tmp_path, capsys):
    page = tmp_path / "map.html"
    page.write_text("<html><body>map</body></html>")
    assert main(["screenshot", str(page), "--out", str(tmp_path / "x.txt")]) == 2
    line = error_line(capsys, "screenshot")
    assert "x.txt: screenshots are PNG images: name the output *.png, not .txt" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


@pytest.mark.parametrize("size", ["big", "1400", "0x900", "1400x900x2", "-5x10"])
def test_screenshot_size_is_a_usage_error(tmp_path, capsys, size):
    page = tmp_path / "map.html"
    page.write_text("<html></html>")
    with pytest.raises(SystemExit) as done:
        main(["screenshot", str(page), "--out", str(tmp_path / "x.png"), f"--size={size}"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "argument --size: expected WIDTHxHEIGHT" in err and "e.g. 1400x900" in err


def test_screenshot_timeout_is_one_line_and_stops_chromium(tmp_path, capsys, monkeypatch):
    from agglomap import screenshot

    pidfile = tmp_path / "pid"
    fake = tmp_path / "fake-chromium"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    page = tmp_path / "map.html"
    page.write_text("<html></html>")
    monkeypatch.setattr(screenshot, "find_chromium", lambda: str(fake))
    monkeypatch.setattr(screenshot, "TIMEOUT_S", 1.0)
    started = time.monotonic()
    assert main(["screenshot", str(page), "--out", str(tmp_path / "x.png")]) == 2
    assert time.monotonic() - started < 30
    line = error_line(capsys, "screenshot")
    assert f"Chromium did not finish rendering {page} within 1 s" in line
    assert not (tmp_path / "x.png").exists() and hidden_files(tmp_path) == []
    helper = int(pidfile.read_text())
    for _ in range(50):  # the helper process (Chromium's renderer, say) is gone too
        if not Path(f"/proc/{helper}").exists() or "Z" in _proc_state(helper):
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"helper {helper} still running")


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]
    except (OSError, IndexError):
        return "Z"


# 7. screenshots name the sources of the page they show --------------------------------


@pytest.fixture
def fake_chromium(tmp_path, monkeypatch):
    """A stand-in for Chromium that writes a small PNG where --screenshot= says."""
    from agglomap import screenshot

    fake = tmp_path / "fake-chromium"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do case "$a" in --screenshot=*) '
        'printf "\\211PNG" > "${a#--screenshot=}";; esac; done\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(screenshot, "find_chromium", lambda: str(fake))
    return fake


def test_screenshot_sidecar_has_the_pages_sources(tmp_path, capsys, fake_chromium):
    from agglomap.provenance import INNOVATION_2021

    page = write_text("<html>map</html>", tmp_path / "map.html", [GEOKZ, INNOVATION_2021])
    assert main(["screenshot", str(page), "--out", str(tmp_path / "shot.png")]) == 0
    meta = json.loads(sidecar_path(tmp_path / "shot.png").read_text(encoding="utf-8"))
    page_meta = json.loads(sidecar_path(page).read_text(encoding="utf-8"))
    assert meta["sources"] == page_meta["sources"]
    assert [s["key"] for s in meta["sources"]] == ["geokz", "innovation_2021"]
    assert meta["screenshot_of"] == "map.html"
    # a page without a sidecar: the screenshot's sidecar says so (no sources), not nothing
    bare = tmp_path / "bare.html"
    bare.write_text("<html></html>")
    assert main(["screenshot", str(bare), "--out", str(tmp_path / "bare.png")]) == 0
    meta = json.loads(sidecar_path(tmp_path / "bare.png").read_text(encoding="utf-8"))
    assert meta["sources"] == [] and meta["screenshot_of"] == "bare.html"


def test_a_new_run_removes_the_previous_runs_screenshots(tmp_path):
    from agglomap.pipeline import remove_previous_screenshots as prepare_out_dir

    out = tmp_path / "outputs"
    shots = out / "screenshots"
    shots.mkdir(parents=True)
    for name in ("monocities.png", "choropleth_innovation_2021.png"):
        (shots / name).write_bytes(b"old")
        sidecar_path(shots / name).write_text("{}")
    prepare_out_dir(out)
    assert not shots.exists()
    # a file of the user's in that folder is not ours to delete: it stays, ours go
    shots.mkdir()
    (shots / "monocities.png").write_bytes(b"old")
    (shots / "my_notes.txt").write_text("mine")
    prepare_out_dir(out)
    assert sorted(p.name for p in shots.iterdir()) == ["my_notes.txt"]
