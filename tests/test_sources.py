"""Upstream files: download from a (local) mirror, cache, and refuse anything tampered with."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from agglomap import settings, sources
from agglomap.errors import SourceError

LAYER = "kaz_admbnda_adm1_2018"


class CountingHandler(SimpleHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path, sources_dir, monkeypatch):
    """A local HTTP server laid out like raw.githubusercontent.com, plus an empty cache."""
    ent = sources.entry(LAYER + ".shp")
    upstream_dir = urlsplit(ent.url).path.rsplit("/", 1)[0].lstrip("/")
    served = tmp_path / "www" / upstream_dir
    served.mkdir(parents=True)
    for part in sources.SHAPEFILE_PARTS:
        shutil.copy(sources_dir / "geokz" / (LAYER + part), served)
    handler = type("Handler", (CountingHandler,), {"requests": []})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(tmp_path / "www"))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    cache = tmp_path / "cache"
    monkeypatch.delenv(settings.SOURCES_ENV, raising=False)
    monkeypatch.delenv(settings.BASE_URL_ENV, raising=False)
    monkeypatch.setenv(settings.CACHE_ENV, str(cache))
    try:
        yield {
            "url": f"http://127.0.0.1:{server.server_address[1]}",
            "served": served,
            "cache": cache,
            "requests": handler.requests,
        }
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_manifest_pins_every_geokz_file(sources_dir):
    sums = dict(
        reversed(line.split())
        for line in (sources_dir / "geokz" / "SHA256SUMS").read_text().splitlines()
    )
    files = sources.manifest()
    assert len(sums) == 30
    for name, sha in sums.items():
        assert files[name].sha256 == sha
        assert files[name].path == f"geokz/{name}"
        assert files[name].url.endswith(
            "/arodionoff/geokz/41c1a00454ec9e01bda031b5074920bd82de02ce/inst/shape/" + name
        )
        assert files[name].licence == "CC BY 4.0"
    hot = files["hotosm_kaz_populated_places.geojson"]
    assert hot.manual and hot.licence == "ODbL 1.0"
    assert sources.sha256sum(sources_dir / hot.path) == hot.sha256


def test_download_verifies_then_uses_cache(mirror):
    shp = sources.fetch_layer(LAYER, base_url=mirror["url"], progress=False)
    assert shp == mirror["cache"] / "geokz" / (LAYER + ".shp")
    for part in sources.SHAPEFILE_PARTS:
        got = shp.with_suffix(part)
        assert sources.sha256sum(got) == sources.entry(got.name).sha256
    assert len(mirror["requests"]) == 5
    again = sources.fetch(LAYER + ".dbf", base_url=mirror["url"], progress=False)
    assert again == shp.with_suffix(".dbf")
    assert len(mirror["requests"]) == 5  # served from the cache, no new request


def test_base_url_from_environment(mirror, monkeypatch):
    monkeypatch.setenv(settings.BASE_URL_ENV, mirror["url"])
    got = sources.fetch(LAYER + ".prj", progress=False)
    assert got.read_bytes().startswith(b"GEOGCS")
    assert mirror["requests"] == [urlsplit(sources.entry(LAYER + ".prj").url).path]


def test_tampered_download_is_refused_and_not_cached(mirror):
    served = mirror["served"] / (LAYER + ".dbf")
    data = bytearray(served.read_bytes())
    data[200] ^= 0x01
    served.write_bytes(bytes(data))
    with pytest.raises(SourceError) as err:
        sources.fetch(LAYER + ".dbf", base_url=mirror["url"], progress=False)
    msg = str(err.value)
    assert LAYER + ".dbf" in msg
    assert sources.entry(LAYER + ".dbf").sha256 in msg
    assert sources.sha256sum(served) in msg
    assert len(mirror["requests"]) == 1
    cached = mirror["cache"] / "geokz"
    assert not cached.exists() or list(cached.iterdir()) == []


def test_unreachable_mirror_is_a_source_error(mirror):
    with pytest.raises(SourceError, match="settings.sources_dir"):
        sources.fetch(LAYER + ".cpg", base_url="http://127.0.0.1:9", progress=False)


def test_local_folder_is_verified(tmp_path, sources_dir):
    assert sources.fetch(LAYER + ".shp", sources_dir) == sources_dir / "geokz" / (LAYER + ".shp")
    local = tmp_path / "mirror" / "geokz"
    local.mkdir(parents=True)
    for part in (".shp", ".shx"):
        shutil.copy(sources_dir / "geokz" / (LAYER + part), local)
    tampered = local / (LAYER + ".shx")
    data = bytearray(tampered.read_bytes())
    data[-1] ^= 0xFF
    tampered.write_bytes(bytes(data))
    with pytest.raises(SourceError) as err:
        sources.fetch(LAYER + ".shx", local.parent)
    assert str(tampered) in str(err.value)
    assert sources.entry(LAYER + ".shx").sha256 in str(err.value)
    with pytest.raises(SourceError, match="not found"):
        sources.fetch(LAYER + ".dbf", local.parent)


def test_environment_folder_and_missing_folder(sources_dir, monkeypatch, tmp_path):
    monkeypatch.setenv(settings.SOURCES_ENV, str(sources_dir))
    assert sources.fetch(LAYER + ".cpg").parent == sources_dir / "geokz"
    with pytest.raises(SourceError, match="does not exist"):
        sources.fetch(LAYER + ".cpg", tmp_path / "nowhere")


def test_manual_file_without_folder_says_where_to_get_it(monkeypatch):
    monkeypatch.delenv(settings.SOURCES_ENV, raising=False)
    with pytest.raises(SourceError, match="data.humdata.org"):
        sources.fetch("hotosm_kaz_populated_places.geojson")


def test_unknown_name_suggests():
    with pytest.raises(SourceError, match="kaz_admbnda_adm1_2018.shp"):
        sources.fetch("kaz_admbnda_adm1_2019.shp")


def test_repeated_local_verification_is_cheap(sources_dir, monkeypatch):
    calls = []
    real = sources.sha256sum
    monkeypatch.setattr(sources, "sha256sum", lambda p: calls.append(p) or real(p))
    sources._verified.clear()
    for _ in range(3):
        sources.fetch(LAYER + ".dbf", sources_dir)
    assert len(calls) == 1
    assert Path(calls[0]).name == LAYER + ".dbf"


def test_cli_lists_and_downloads(mirror, sources_dir, capsys, monkeypatch):
    from agglomap.cli import main

    assert main(["--sources", str(sources_dir), "sources"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 31 and all(line.startswith("ok") for line in lines)

    for part in sources.SHAPEFILE_PARTS:  # serve every geokz file
        for layer in ("adm0_2018", "adm1_2024", "adm2_2018", "adm2_2024", "cnt1_2022"):
            name = f"kaz_admbnda_{layer}{part}"
            shutil.copy(sources_dir / "geokz" / name, mirror["served"])
    monkeypatch.setenv(settings.BASE_URL_ENV, mirror["url"])
    assert main(["sources", "--download"]) == 1  # the HOT file needs a manual download
    out = capsys.readouterr().out.splitlines()
    assert len(mirror["requests"]) == 30
    assert sum(line.startswith("ok") for line in out) == 30
    assert [line.split()[0] for line in out if "hotosm" in line] == ["missing"]
    assert "data.humdata.org" in out[-1]


def test_library_error_names_the_setting_and_cli_the_flag(tmp_path, capsys):
    from agglomap.cli import main

    with settings.override(sources_dir=tmp_path / "nowhere"), pytest.raises(SourceError) as err:
        sources.fetch(LAYER + ".cpg")
    assert "settings.sources_dir" in str(err.value) and err.value.param == "sources_dir"
    assert main(["--sources", str(tmp_path / "nowhere"), "sources"]) == 2
    message = capsys.readouterr().err
    assert "(--sources DIR) does not exist" in message and "settings." not in message
    assert settings.sources_dir is None  # the flag does not outlive the command
