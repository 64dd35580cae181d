"""`gnss_interop.reading.fetch` against a real HTTP server on 127.0.0.1 that misbehaves on purpose.

No test sends traffic anywhere but 127.0.0.1: the archive is a stdlib ``http.server`` in a
thread serving the real files in ../shared/data under the paths an IGS archive would use.
"""

from __future__ import annotations

import gzip
import http.server
import os
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gnss_interop.reading import fetch as F
from gnss_interop.cli import app
from gnss_interop.errors import FetchError
from gnss_interop.reading.fetch import fetch

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ephemerides"
BRD4 = DATA / "BRD400DLR_S_20230710000_01D_MN.rnx.gz"      # 2023-03-12 = day 071
VILL = DATA / "VILL00ESP_R_20181700000_01D_MN.rnx.gz"      # RINEX 3.03, 2018-06-19 = day 170
DAY = "2023-03-12"
BRD4_NAME = "BRD400DLR_S_20230710000_01D_MN.rnx.gz"
IGS_NAME = "BRDC00IGS_R_20230710000_01D_MN.rnx.gz"
FOLDER = "/IGS/BRDC/2023/071/"

HTML = b"<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Back soon</body></html>\n"
OBS_HEADER = (b"     3.04           OBSERVATION DATA    M                   RINEX VERSION / TYPE\n"
              b"                                                            END OF HEADER\n")


# ------------------------------------------------------------------------------ the archive

class Archive:
    """Routes a path to a list of behaviours, one per request (the last one repeats).

    Behaviours: ("ok", body) | ("status", code) | ("truncate", body): Content-Length of the
    whole body, half of it sent, connection closed | ("slow", seconds, body): no answer for
    ``seconds``, then the body.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.routes: dict[str, list[tuple]] = {}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/IGS/BRDC/{{yyyy}}/{{ddd}}/"

    def serve(self, path: str, *behaviours: tuple) -> None:
        self.routes[path] = list(behaviours)

    def next(self, path: str) -> tuple:
        with self.lock:
            self.hits[path] += 1
            plan = self.routes.get(path)
            if not plan:
                return ("status", 404)
            return plan.pop(0) if len(plan) > 1 else plan[0]

    def reset(self) -> None:
        self.routes.clear()
        self.hits.clear()


class _Handler(http.server.BaseHTTPRequestHandler):
    archive: Archive

    def do_GET(self) -> None:  # noqa: N802
        kind, *args = self.archive.next(self.path)
        if kind == "status":
            self.send_error(args[0])
            return
        if kind == "slow":
            time.sleep(args[0])
            args = args[1:]
        body = args[0]
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if body.startswith(b"<!") else
                         "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if kind == "truncate" else body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the client hung up on a slow answer: expected


@pytest.fixture(scope="module")
def server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    archive = Archive(srv.server_address[1])
    _Handler.archive = archive
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield archive
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def archive(server, tmp_path, monkeypatch):
    server.reset()
    monkeypatch.setenv("GNSS_INTEROP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NETRC", str(tmp_path / "no.netrc"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("GNSS_INTEROP_SOURCE", raising=False)
    return server


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def _get(archive: Archive, cache: Path, date: str = DAY, **kw) -> Path:
    kw = {"timeout_s": 5.0, "retries": 2, "backoff_s": 0.01} | kw
    return fetch(date, source=archive.url, cache_dir=cache, **kw)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cache_files(cache: Path) -> list[str]:
    """Navigation files and temporaries in the cache (not the ``.valid`` stamps)."""
    return sorted(p.name for p in cache.iterdir() if not p.name.endswith(".valid")) \
        if cache.exists() else []


# ------------------------------------------------------------------------------ tables, names

def test_product_and_source_tables():
    assert F.filename("BRD400DLR_S", DAY) == BRD4_NAME
    assert F.filename("BRDC00IGS_R", "2023-071") == IGS_NAME
    assert F.filename(F.PRODUCTS["BRDC00WRD_S"], "2020-12-31") == "BRDC00WRD_S_20203660000_01D_MN.rnx.gz"
    assert [F.PRODUCTS[n].rinex_version for n in F.SOURCES["bkg"].products][:2] == [4, 3]
    assert F.SOURCES["bkg"].netrc_host is None and F.SOURCES["cddis"].netrc_host
    assert all(s.url.startswith("https://") for s in F.SOURCES.values())
    with pytest.raises(FetchError, match="YYYY-MM-DD"):
        F.parse_date("12/03/2023")
    with pytest.raises(FetchError, match="unknown product"):
        F.filename("BRDX", DAY)
    with pytest.raises(FetchError, match="unknown source"):
        fetch(DAY, source="ftp://example.invalid/", cache_dir="/nonexistent")


def test_default_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GNSS_INTEROP_CACHE", str(tmp_path / "c"))
    assert F.resolve_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("GNSS_INTEROP_CACHE")
    assert F.resolve_cache_dir().parts[-2:] == ("gnss_interop", "brdc")
    assert F.resolve_cache_dir(tmp_path) == tmp_path


# ------------------------------------------------------------------------------ happy path, cache

def test_download_validates_and_caches(archive, cache):
    archive.serve(FOLDER + BRD4_NAME, ("ok", BRD4.read_bytes()))
    path = _get(archive, cache)
    assert path == cache / BRD4_NAME
    assert path.read_bytes() == BRD4.read_bytes()
    assert archive.hits[FOLDER + BRD4_NAME] == 1
    assert _cache_files(cache) == [BRD4_NAME]          # no temporary file left behind
    assert F.cached_path(DAY, cache_dir=cache) == path


def test_cache_hit_needs_no_network(archive, cache):
    archive.serve(FOLDER + BRD4_NAME, ("ok", BRD4.read_bytes()))
    first = _get(archive, cache)
    unreachable = f"http://127.0.0.1:{_closed_port()}/IGS/BRDC/{{yyyy}}/{{ddd}}/"
    assert fetch(DAY, source=unreachable, cache_dir=cache) == first
    assert fetch(DAY, cache_dir=cache, offline=True) == first
    assert fetch(DAY, offline=True) == first            # cache from $GNSS_INTEROP_CACHE
    assert archive.hits[FOLDER + BRD4_NAME] == 1


def test_offline_miss_says_what_is_missing(archive, cache):
    with pytest.raises(FetchError) as err:
        fetch(DAY, cache_dir=cache, offline=True)
    msg = str(err.value)
    assert "offline" in msg and str(cache) in msg and BRD4_NAME in msg and IGS_NAME in msg
    assert sum(archive.hits.values()) == 0


def test_unreachable_host_is_a_clear_error(archive, cache):
    port = _closed_port()
    with pytest.raises(FetchError) as err:
        fetch(DAY, source=f"http://127.0.0.1:{port}/IGS/BRDC/", cache_dir=cache,
              retries=1, backoff_s=0.01, timeout_s=2)
    assert str(err.value).startswith(f"cannot reach 127.0.0.1:{port}: offline? use --offline "
                                     f"to use only the cache ({cache})")
    assert _cache_files(cache) == []


# ------------------------------------------------------------------------------ 404: next product

def test_404_moves_on_to_the_next_product_without_retrying(archive, cache):
    archive.serve(FOLDER + IGS_NAME, ("ok", BRD4.read_bytes()))
    path = _get(archive, cache)
    assert path.name == IGS_NAME
    assert archive.hits == Counter({FOLDER + BRD4_NAME: 1, FOLDER + IGS_NAME: 1})


def test_nothing_found_lists_what_was_tried(archive, cache):
    with pytest.raises(FetchError, match="no broadcast navigation file for 2023-03-12") as err:
        _get(archive, cache)
    for name in ("BRD400DLR_S", "BRDC00IGS_R", "BRDM00DLR_S", "BRDC00WRD_S"):
        assert name in str(err.value)
    assert set(archive.hits.values()) == {1}
    assert _cache_files(cache) == []


def test_products_older_than_the_date_are_not_asked_for(archive, cache):
    folder = "/IGS/BRDC/2018/170/"
    archive.serve(folder + "BRDC00IGS_R_20181700000_01D_MN.rnx.gz", ("ok", VILL.read_bytes()))
    path = _get(archive, cache, date="2018-06-19")
    assert path.name == "BRDC00IGS_R_20181700000_01D_MN.rnx.gz"
    assert archive.hits == Counter({folder + path.name: 1})   # no RINEX 4 request for 2018


def test_explicit_product(archive, cache):
    archive.serve(FOLDER + IGS_NAME, ("ok", BRD4.read_bytes()))
    assert _get(archive, cache, product="BRDC00IGS_R").name == IGS_NAME
    assert archive.hits == Counter({FOLDER + IGS_NAME: 1})


# ------------------------------------------------------------------------------ misbehaviour

def test_truncated_body_with_lying_length_is_restarted_cleanly(archive, cache):
    body = BRD4.read_bytes()
    archive.serve(FOLDER + BRD4_NAME, ("truncate", body), ("ok", body))
    path = _get(archive, cache)
    assert path.read_bytes() == body
    assert archive.hits[FOLDER + BRD4_NAME] == 2
    assert _cache_files(cache) == [BRD4_NAME]


def test_truncated_body_never_enters_the_cache(archive, cache):
    archive.serve(FOLDER + BRD4_NAME, ("truncate", BRD4.read_bytes()))
    with pytest.raises(FetchError, match=r"after 3 attempt\(s\): transfer cut short"):
        _get(archive, cache, retries=2)
    assert archive.hits[FOLDER + BRD4_NAME] == 3
    assert _cache_files(cache) == []


def test_truncated_gzip_with_honest_length_is_rejected(archive, cache):
    body = BRD4.read_bytes()
    archive.serve(FOLDER + BRD4_NAME, ("ok", body[: len(body) * 3 // 4]))
    with pytest.raises(FetchError, match="corrupt compressed file"):
        _get(archive, cache, retries=1)
    assert archive.hits[FOLDER + BRD4_NAME] == 2      # a cut stream is worth one more try
    assert _cache_files(cache) == []


def test_html_page_with_200_never_enters_the_cache(archive, cache):
    archive.serve(FOLDER + BRD4_NAME, ("ok", HTML))
    with pytest.raises(FetchError, match="HTML page instead of a RINEX file"):
        _get(archive, cache)
    assert archive.hits[FOLDER + BRD4_NAME] == 1      # not retried: it would come back the same
    assert _cache_files(cache) == []


@pytest.mark.parametrize("body, message", [
    (OBS_HEADER, "not a navigation file"),
    (b"", "empty file"),
    (b"hello\n", "not a RINEX file"),
])
def test_non_navigation_content_is_rejected(archive, cache, body, message):
    archive.serve(FOLDER + BRD4_NAME, ("ok", gzip.compress(body)))
    with pytest.raises(FetchError, match=message):
        _get(archive, cache)
    assert _cache_files(cache) == []


def test_server_errors_are_retried_with_backoff(archive, cache):
    archive.serve(FOLDER + BRD4_NAME, ("status", 503), ("status", 500), ("ok", BRD4.read_bytes()))
    t0 = time.monotonic()
    path = _get(archive, cache, retries=3, backoff_s=0.05)
    assert time.monotonic() - t0 >= 0.05 + 0.10       # back-off doubled between attempts
    assert path.name == BRD4_NAME
    assert archive.hits[FOLDER + BRD4_NAME] == 3


def test_server_errors_give_up_after_the_retries(archive, cache):
    archive.serve(FOLDER + BRD4_NAME, ("status", 503))
    with pytest.raises(FetchError, match=r"after 3 attempt\(s\): HTTP 503"):
        _get(archive, cache, retries=2)
    assert archive.hits[FOLDER + BRD4_NAME] == 3
    assert archive.hits[FOLDER + IGS_NAME] == 0       # host trouble: other names not tried


def test_slow_answer_times_out_then_retry_succeeds(archive, cache):
    body = BRD4.read_bytes()
    archive.serve(FOLDER + BRD4_NAME, ("slow", 1.5, body), ("ok", body))
    t0 = time.monotonic()
    path = _get(archive, cache, timeout_s=0.3)
    assert time.monotonic() - t0 < 1.5
    assert path.read_bytes() == body
    assert archive.hits[FOLDER + BRD4_NAME] == 2


def test_slow_answer_every_time_is_a_timeout_error(archive, cache):
    archive.serve(FOLDER + BRD4_NAME, ("slow", 1.5, BRD4.read_bytes()))
    with pytest.raises(FetchError, match="timeout"):
        _get(archive, cache, timeout_s=0.2, retries=1)
    assert archive.hits[FOLDER + BRD4_NAME] == 2
    assert _cache_files(cache) == []


def test_access_refused_and_missing_login(archive, cache, tmp_path):
    archive.serve(FOLDER + BRD4_NAME, ("status", 401))
    with pytest.raises(FetchError, match="netrc"):
        _get(archive, cache)
    assert archive.hits[FOLDER + BRD4_NAME] == 1
    # a source that needs a login is refused before any request when ~/.netrc lacks it
    private = F.Source("private", archive.url, ("BRD400DLR_S",), "archive.example", "test")
    with pytest.raises(FetchError, match=r"needs a login: add 'machine archive\.example login"):
        fetch(DAY, source=private, cache_dir=cache)
    assert archive.hits[FOLDER + BRD4_NAME] == 1


def test_provisional_file_of_today_is_refreshed(archive, cache):
    import datetime as dt

    today = dt.datetime.now(dt.timezone.utc).date()
    name = F.filename("BRDC00WRD_S", today)
    folder = f"/IGS/BRDC/{today:%Y}/{today.timetuple().tm_yday:03d}/"
    cache.mkdir()
    (cache / name).write_bytes(BRD4.read_bytes())
    assert _get(archive, cache, date="today") == cache / name     # fresh: used as is
    assert sum(archive.hits.values()) == 0
    old = time.time() - 2 * F.PROVISIONAL_MAX_AGE_S
    os.utime(cache / name, (old, old))
    archive.serve(folder + name, ("ok", BRD4.read_bytes()))
    assert _get(archive, cache, date="today") == cache / name     # stale: downloaded again
    assert archive.hits[folder + name] == 1
    assert (cache / name).stat().st_mtime > old + 1


# ------------------------------------------------------------------------------ validation alone

def test_validate_nav(tmp_path):
    F.validate_nav(BRD4)
    text = gzip.decompress(BRD4.read_bytes()).decode().splitlines(keepends=True)
    last = max(i for i, line in enumerate(text) if line.startswith(("> EPH C", "> EPH R")))
    cut = tmp_path / "cut.rnx"
    cut.write_text("".join(text[:last + 4]))            # last BDS/GLO record: 3 lines of 8
    with pytest.raises(FetchError, match="last record is cut short"):
        F.validate_nav(cut)
    cut.write_text("".join(text)[:-20])                 # cut inside the last line
    with pytest.raises(FetchError, match="last line is cut short"):
        F.validate_nav(cut)
    half = tmp_path / "half.rnx.gz"
    half.write_bytes(BRD4.read_bytes()[:100_000])
    with pytest.raises(FetchError, match="corrupt compressed file"):
        F.validate_nav(half)
    page = tmp_path / "page.rnx.gz"
    page.write_bytes(HTML)
    with pytest.raises(FetchError, match="HTML"):
        F.validate_nav(page)


# ------------------------------------------------------------------------------ CLI

runner = CliRunner()


def test_cli_fetch_prints_the_cached_path(archive, cache):
    archive.serve(FOLDER + BRD4_NAME, ("ok", BRD4.read_bytes()))
    res = runner.invoke(app, ["fetch", DAY, "--source", archive.url, "--cache", str(cache),
                              "--timeout", "5", "--retries", "0"])
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(cache / BRD4_NAME)
    res = runner.invoke(app, ["fetch", "2023-03-13", "--cache", str(cache), "--offline"])
    assert res.exit_code == 2
    assert "offline: no navigation file for 2023-03-13" in res.output


def test_cli_orbits_with_date_uses_the_cache(archive, cache, tmp_path):
    archive.serve(FOLDER + BRD4_NAME, ("ok", BRD4.read_bytes()))
    _get(archive, cache)                                  # $GNSS_INTEROP_CACHE points here
    out = tmp_path / "orbits.csv"
    res = runner.invoke(app, ["orbits", "--date", DAY, "--start", "2023-03-12T06:00:00",
                              "--end", "2023-03-12T06:10:00", "--step", "300", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "C01" in out.read_text() and "R01" in out.read_text()
    assert archive.hits[FOLDER + BRD4_NAME] == 1


@pytest.mark.parametrize("command", [
    ["site", "--lat", "40", "--lon", "116", "--step", "1800", "--out", "dop.csv"],
    ["grid", "--resolution", "45", "--step", "3600", "--out", "grid.nc"],
])
def test_cli_site_and_grid_with_date(archive, cache, tmp_path, monkeypatch, command):
    archive.serve(FOLDER + BRD4_NAME, ("ok", BRD4.read_bytes()))
    monkeypatch.setenv("GNSS_INTEROP_SOURCE", archive.url)  # fetched on first use
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, [*command, "--date", DAY, "--start", "2023-03-12T06:00:00",
                              "--end", "2023-03-12T07:00:00"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / command[-1]).is_file() and (cache / BRD4_NAME).is_file()
    assert archive.hits[FOLDER + BRD4_NAME] == 1
    # the previous day's file is asked for too (its records cover 00:00); missing, it is a
    # note, and the epochs it would cover are data gaps
    assert "the previous day's file is not available" in res.output


def test_cli_site_with_date_defaults_to_that_day_and_loads_the_day_before(archive, cache,
                                                                          tmp_path, monkeypatch):
    prev = BRD4_NAME.replace("2023071", "2023070")
    prev_folder = FOLDER.replace("071", "070")
    archive.serve(FOLDER + BRD4_NAME, ("ok", BRD4.read_bytes()))
    archive.serve(prev_folder + prev, ("ok", BRD4.read_bytes()))  # stands in for 03-11
    monkeypatch.setenv("GNSS_INTEROP_SOURCE", archive.url)
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["site", "--lat", "40", "--lon", "116", "--step", "3600",
                              "--date", DAY, "--out", "dop.csv"])
    assert res.exit_code == 0, res.output
    assert archive.hits[prev_folder + prev] == 1
    rows = (tmp_path / "dop.csv").read_text().splitlines()
    assert any("2023-03-12T00:00:00" in r for r in rows)
    assert any("2023-03-13T00:00:00" in r for r in rows)
    assert not any("2023-03-11T23" in r for r in rows)


def test_cli_needs_files_or_a_date(archive):
    res = runner.invoke(app, ["orbits", "--start", "2023-03-12T06:00:00",
                              "--end", "2023-03-12T06:10:00"])
    assert res.exit_code == 2
    assert "--date" in res.output


def test_offline_cache_hit_is_validated_first(archive, cache, tmp_path):
    """A truncated or HTML file in the cache is not handed back with rc 0: offline it is a
    named error; online it is downloaded again."""
    cache.mkdir(parents=True)
    bad = cache / BRD4_NAME
    bad.write_bytes(b"<!DOCTYPE html><html>login</html>\n")
    with pytest.raises(FetchError, match="offline: the cached file is not usable: the server "
                                         "sent an HTML page"):
        fetch(DAY, cache_dir=cache, offline=True)
    res = runner.invoke(app, ["fetch", DAY, "--cache", str(cache), "--offline"])
    assert res.exit_code == 2 and "not usable" in res.output
    archive.serve(FOLDER + BRD4_NAME, ("ok", BRD4.read_bytes()))
    assert _get(archive, cache).read_bytes() == BRD4.read_bytes()     # fetched again
    # a good hit is validated once; the stamp then spares reading it again
    assert (cache / (BRD4_NAME + ".valid")).is_file()
    assert fetch(DAY, cache_dir=cache, offline=True) == cache / BRD4_NAME


def test_unwritable_cache_is_a_named_error(archive, tmp_path):
    """A cache folder that cannot be written (here: the path is a file, which fails even for
    root, unlike a read-only folder) gives a FetchError naming it, not an OSError."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    archive.serve(FOLDER + BRD4_NAME, ("ok", BRD4.read_bytes()))
    with pytest.raises(FetchError, match="cannot write to the cache folder .*not-a-folder"):
        _get(archive, blocked)


def test_fetch_a_date_range(archive, cache, monkeypatch):
    """gnss-interop fetch DATE --days N caches N consecutive days and prints them in order."""
    names = [BRD4_NAME.replace("2023071", f"20230{d}") for d in (71, 72)]
    for d, name in zip((71, 72), names):
        archive.serve(FOLDER.replace("071", f"0{d}") + name, ("ok", BRD4.read_bytes()))
    res = runner.invoke(app, ["fetch", DAY, "--days", "2", "--cache", str(cache),
                              "--source", archive.url])
    assert res.exit_code == 0, res.output
    lines = [l for l in res.output.splitlines() if l.endswith(".rnx.gz")]
    assert [Path(l).name for l in lines] == names
