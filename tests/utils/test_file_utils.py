"""get_file: Keras 3 cache layout and names, hashes, cache reuse, real downloads, safe extraction."""

import hashlib
import http.server
import io
import os
import socket
import stat
import tarfile
import threading
import zipfile

import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures

from kiln.utils import get_file
from kiln.utils.file_utils import DownloadError

PAYLOAD = b"kiln get_file payload\n" * 10


@pytest.fixture
def home(monkeypatch, tmp_path):
    """Kiln's home in tmp_path: the default cache is ``<home>/datasets``."""
    path = tmp_path / "kiln_home"
    monkeypatch.setenv("KILN_HOME", str(path))
    return path


class _Server:
    """A local HTTP server in a thread; ``files`` maps URL paths to bytes, ``hits`` counts requests."""

    def __init__(self):
        self.files = {}
        self.hits = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _leftovers(folder):
    """Hidden temporary files/folders get_file may have left in ``folder``."""
    return [n for n in os.listdir(folder) if n.startswith(".")] if os.path.isdir(folder) else []


def test_signature_and_example_are_keras():
    rows = [r for r in reference_rows(("keras.utils",)) if r["name"] == "get_file"]
    assert len(rows) == 1
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


def test_file_origin_lands_in_kiln_home_datasets(home, tmp_path):
    src = tmp_path / "data.bin"
    src.write_bytes(PAYLOAD)
    path = get_file(origin=src.as_uri())
    assert path == os.path.join(str(home), "datasets", "data.bin")
    with open(path, "rb") as f:
        assert f.read() == PAYLOAD
    named = get_file("other.bin", src.as_uri(), cache_subdir="sub")
    assert named == os.path.join(str(home), "sub", "other.bin")
    absolute = tmp_path / "absolute_subdir"
    assert get_file(origin=src.as_uri(), cache_subdir=str(absolute)) == str(absolute / "data.bin")
    explicit = get_file(origin=src.as_uri(), cache_dir=str(tmp_path / "cache"))
    assert explicit == str(tmp_path / "cache" / "datasets" / "data.bin")
    assert _leftovers(os.path.join(str(home), "datasets")) == []


def test_http_download_cached_reuse_and_force_download(home, server):
    server.files["/dir/file.txt"] = PAYLOAD
    url = server.url("/dir/file.txt")
    sha256 = hashlib.sha256(PAYLOAD).hexdigest()
    path = get_file(origin=url, file_hash=sha256)
    assert server.hits["/dir/file.txt"] == 1
    with open(path, "rb") as f:
        assert f.read() == PAYLOAD
    # Cached, with and without a (matching) hash: no new request.
    assert get_file(origin=url) == path
    assert get_file(origin=url, file_hash=sha256) == path
    assert server.hits["/dir/file.txt"] == 1
    assert get_file(origin=url, force_download=True) == path
    assert server.hits["/dir/file.txt"] == 2


def test_md5_sha256_auto_and_deprecated_md5_hash(home, server):
    server.files["/f"] = PAYLOAD
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    sha256 = hashlib.sha256(PAYLOAD).hexdigest()
    assert os.path.isfile(get_file("a", server.url("/f"), file_hash=md5))  # 32 digits: md5
    assert os.path.isfile(get_file("b", server.url("/f"), md5_hash=md5))
    assert os.path.isfile(get_file("c", server.url("/f"), file_hash=sha256.upper(), hash_algorithm="sha256"))
    with pytest.raises(ValueError, match="hash"):
        get_file("d", server.url("/f"), file_hash=md5, hash_algorithm="sha256")
    assert server.hits["/f"] == 4


def test_mismatching_cached_file_is_downloaded_again(home, server):
    server.files["/f.bin"] = PAYLOAD
    target = os.path.join(str(home), "datasets", "f.bin")
    os.makedirs(os.path.dirname(target))
    with open(target, "wb") as f:
        f.write(b"stale or truncated")
    path = get_file(origin=server.url("/f.bin"), file_hash=hashlib.sha256(PAYLOAD).hexdigest())
    assert path == target and server.hits["/f.bin"] == 1
    with open(path, "rb") as f:
        assert f.read() == PAYLOAD


def test_mismatching_download_raises_and_leaves_nothing(home, server):
    server.files["/f.bin"] = PAYLOAD
    wrong = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(ValueError) as info:
        get_file(origin=server.url("/f.bin"), file_hash=wrong)
    assert wrong in str(info.value) and hashlib.sha256(PAYLOAD).hexdigest() in str(info.value)
    assert os.listdir(os.path.join(str(home), "datasets")) == []


def test_offline_error_names_url_and_cache_path(home):
    url = f"http://127.0.0.1:{_closed_port()}/x.npz"
    with pytest.raises(DownloadError) as info:
        get_file(origin=url)
    message = str(info.value)
    target = os.path.join(str(home), "datasets", "x.npz")
    assert url in message and target in message and "place it at" in message
    assert isinstance(info.value, OSError)
    assert os.listdir(os.path.join(str(home), "datasets")) == []


def test_http_error_names_status_and_url(home, server):
    with pytest.raises(DownloadError, match="404") as info:
        get_file(origin=server.url("/missing.txt"))
    assert server.url("/missing.txt") in str(info.value)
    assert os.listdir(os.path.join(str(home), "datasets")) == []


def _tar_bytes(members, mode="w:gz"):
    """A tar archive of ``(name, bytes | TarInfo)`` members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, content in members:
            if isinstance(content, tarfile.TarInfo):
                archive.addfile(content)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            if isinstance(content, zipfile.ZipInfo):
                archive.writestr(content, b"/etc/passwd")
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


GOOD = [("top/a.txt", b"alpha"), ("top/sub/b.txt", b"beta")]


@pytest.mark.parametrize("kind,mode", [("tar.gz", "w:gz"), ("tar.bz2", "w:bz2"), ("tar.xz", "w:xz"),
                                       ("tar", "w"), ("zip", None)])
def test_extract_archive_kinds(home, tmp_path, kind, mode):
    src = tmp_path / f"bundle.{kind}"
    src.write_bytes(_zip_bytes(GOOD) if kind == "zip" else _tar_bytes(GOOD, mode))
    # fname with an extension: the archive keeps that name, the folder is "<stem>_extracted".
    folder = get_file(f"bundle.{kind}", src.as_uri(), extract=True)
    datasets = os.path.join(str(home), "datasets")
    assert folder == os.path.join(datasets, "bundle_extracted")
    assert os.path.isfile(os.path.join(datasets, f"bundle.{kind}"))
    with open(os.path.join(folder, "top", "sub", "b.txt"), "rb") as f:
        assert f.read() == b"beta"
    with open(os.path.join(folder, "top", "a.txt"), "rb") as f:
        assert f.read() == b"alpha"
    assert _leftovers(datasets) == []


def test_extract_folder_naming(home, tmp_path):
    src = tmp_path / "photos.tgz"
    src.write_bytes(_tar_bytes(GOOD))
    datasets = os.path.join(str(home), "datasets")
    # fname without an extension names the folder; the archive is "<fname>_archive".
    folder = get_file("photos", src.as_uri(), extract=True)
    assert folder == os.path.join(datasets, "photos")
    assert os.path.isfile(os.path.join(datasets, "photos_archive"))
    assert os.path.isfile(os.path.join(folder, "top", "a.txt"))
    # No fname: the URL's file name names the folder.
    folder = get_file(origin=src.as_uri(), untar=True)
    assert folder == os.path.join(datasets, "photos.tgz")
    assert os.path.isfile(os.path.join(datasets, "photos.tgz_archive"))
    assert os.path.isfile(os.path.join(folder, "top", "sub", "b.txt"))


def test_extract_reextracts_after_a_new_download(home, server):
    server.files["/d.zip"] = _zip_bytes([("x.txt", b"one")])
    folder = get_file("d.zip", server.url("/d.zip"), extract=True)
    server.files["/d.zip"] = _zip_bytes([("y.txt", b"two")])
    assert get_file("d.zip", server.url("/d.zip"), extract=True) == folder  # cached: no download
    assert sorted(os.listdir(folder)) == ["x.txt"] and server.hits["/d.zip"] == 1
    get_file("d.zip", server.url("/d.zip"), extract=True, force_download=True)
    assert sorted(os.listdir(folder)) == ["y.txt"] and server.hits["/d.zip"] == 2


def _device():
    info = tarfile.TarInfo("dev/evil")
    info.type = tarfile.CHRTYPE
    info.devmajor, info.devminor = 1, 3
    return info


def _link(name, target, kind):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def _zip_symlink():
    info = zipfile.ZipInfo("top/link")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


UNSAFE = {
    "tar_absolute": ("tar", [("top/ok.txt", b"ok"), ("/tmp/kiln_abs_escape.txt", b"x")], "absolute"),
    "tar_dotdot": ("tar", [("top/ok.txt", b"ok"), ("top/../../escape.txt", b"x")], "'..'"),
    "tar_symlink": ("tar", [("top/ok.txt", b"ok"), ("top/link", _link("top/link", "/etc/passwd",
                                                                        tarfile.SYMTYPE))], "symbolic link"),
    "tar_hardlink": ("tar", [("top/ok.txt", b"ok"), ("top/hard", _link("top/hard", "top/ok.txt",
                                                                        tarfile.LNKTYPE))], "hard link"),
    "tar_device": ("tar", [("top/ok.txt", b"ok"), ("dev/evil", _device())], "device"),
    "zip_dotdot": ("zip", [("top/ok.txt", b"ok"), ("../escape.txt", b"x")], "'..'"),
    "zip_absolute": ("zip", [("top/ok.txt", b"ok"), ("/tmp/kiln_abs_escape.txt", b"x")], "absolute"),
    "zip_symlink": ("zip", [("top/ok.txt", b"ok"), ("top/link", _zip_symlink())], "symbolic link"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_archives_are_refused_with_nothing_extracted(home, tmp_path, case):
    kind, members, reason = UNSAFE[case]
    src = tmp_path / f"evil.{kind}"
    src.write_bytes(_zip_bytes(members) if kind == "zip" else _tar_bytes(members))
    with pytest.raises(ValueError, match="refusing to extract") as info:
        get_file(f"evil.{kind}", src.as_uri(), extract=True)
    assert reason in str(info.value)
    datasets = os.path.join(str(home), "datasets")
    assert not os.path.exists(os.path.join(datasets, "evil_extracted"))
    assert _leftovers(datasets) == []
    assert sorted(os.listdir(datasets)) == [f"evil.{kind}"]  # only the downloaded archive
    assert not os.path.exists(os.path.join(str(home), "escape.txt"))
    assert not os.path.exists(os.path.join(str(home), "datasets", "..", "escape.txt"))


def test_not_an_archive_warns(home, tmp_path):
    src = tmp_path / "plain.txt"
    src.write_bytes(PAYLOAD)
    with pytest.warns(UserWarning, match="could not extract"):
        folder = get_file("plain.txt", src.as_uri(), extract=True)
    assert not os.path.exists(folder)
    with pytest.warns(UserWarning):
        get_file("plain2.txt", src.as_uri(), extract=True, archive_format=None)


def test_bad_arguments(home, tmp_path):
    with pytest.raises(ValueError, match="origin"):
        get_file("x.txt")
    with pytest.raises(ValueError, match="fname"):
        get_file(os.path.join("a", "b.txt"), "file:///nowhere/b.txt")
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file(origin="file:///nowhere/b.txt", hash_algorithm="sha1")
    with pytest.raises(ValueError, match="archive_format"):
        get_file(origin="file:///nowhere/b.tar", extract=True, archive_format="rar")
    with pytest.raises(ValueError, match="file name"):
        get_file(origin="http://example.invalid/")
    with pytest.raises(ValueError, match="40 characters"):
        get_file(origin="file:///nowhere/b.txt", file_hash="0" * 40)
