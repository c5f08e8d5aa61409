"""Each bad file becomes an error row while the run goes on; nothing crashes, nothing is written."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from crosscheck.fingerprints.hasher import HashOptions, fingerprint
from crosscheck.fingerprints.record import FileRecord
from crosscheck.fingerprints.walker import WalkLimits, walk
from crosscheck.service.seizure import fingerprint_paths
from tests.media import jpeg_bytes, picture, png_bytes, shared_media, video_file


def run(*paths: Path, workers: int = 1, limits: WalkLimits | None = None) -> dict[str, FileRecord]:
    records = list(fingerprint_paths(list(paths), HashOptions(), workers=workers, limits=limits))
    return {
        Path(r.path.split("!")[0]).name
        + ("!" + r.path.split("!", 1)[1] if "!" in r.path else ""): r
        for r in records
    }


@pytest.fixture
def seizure(tmp_path: Path) -> Path:
    folder = tmp_path / "seizure"
    folder.mkdir()
    (folder / "good.jpg").write_bytes(jpeg_bytes(picture()))
    return folder


def test_truncated_jpeg_png_and_mp4(seizure: Path, tmp_path: Path) -> None:
    jpeg = jpeg_bytes(picture(seed=2))
    (seizure / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    png = png_bytes(picture(seed=3))
    (seizure / "cut.png").write_bytes(png[: len(png) // 3])
    mp4 = video_file(tmp_path / "v.mp4").read_bytes()
    (seizure / "cut.mp4").write_bytes(mp4[: len(mp4) // 3])
    rows = run(seizure)
    assert rows["good.jpg"].error is None and rows["good.jpg"].pdq
    for name in ("cut.jpg", "cut.png", "cut.mp4"):
        assert rows[name].error, name
        assert rows[name].sha256 and rows[name].size  # the digests are still recorded


def test_truncated_picture_is_an_error_even_when_pillow_was_told_otherwise(
    seizure: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as importing WeasyPrint does
    jpeg = jpeg_bytes(picture(seed=2))
    (seizure / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    assert run(seizure)["cut.jpg"].error
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the process's setting is left as it was


def test_decompression_bomb(seizure: Path) -> None:
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # 400 Mpixel, a few kB on disk
    (seizure / "bomb.png").write_bytes(bomb.getvalue())
    rows = run(seizure)
    assert "decompression bomb" in (rows["bomb.png"].error or "").lower()
    assert rows["good.jpg"].pdq


def test_zip_bomb_and_escaping_member(seizure: Path) -> None:
    archive = seizure / "evidence.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("photos/ok.jpg", jpeg_bytes(picture(seed=5)))
        zf.writestr("../../escape.jpg", jpeg_bytes(picture(seed=6)))
        with zf.open("zeros.bin", "w") as member:
            for _ in range(64):
                member.write(b"\0" * (1 << 20))
    rows = run(seizure)
    assert rows["evidence.zip!photos/ok.jpg"].pdq
    assert "escapes" in (rows["evidence.zip!../../escape.jpg"].error or "")
    assert "zip bomb" in (rows["evidence.zip!zeros.bin"].error or "")
    assert not (seizure.parent / "escape.jpg").exists()


def test_nested_archives_to_the_depth_limit(seizure: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("deep.jpg", jpeg_bytes(picture(seed=7)))
    middle = io.BytesIO()
    with tarfile.open(fileobj=middle, mode="w:gz") as tf:
        info = tarfile.TarInfo("inner.zip")
        info.size = len(inner.getvalue())
        tf.addfile(info, io.BytesIO(inner.getvalue()))
    with zipfile.ZipFile(seizure / "outer.zip", "w") as zf:
        zf.writestr("middle.tar.gz", middle.getvalue())
    rows = run(seizure)
    deep = rows["outer.zip!middle.tar.gz!inner.zip!deep.jpg"]
    assert deep.pdq and deep.error is None
    shallow = run(seizure, limits=WalkLimits(max_depth=2))
    assert "nested deeper" in (shallow["outer.zip!middle.tar.gz!inner.zip!"].error or "")
    assert shallow["outer.zip!middle.tar.gz!inner.zip"].sha256  # the inner archive's own row
    assert "outer.zip!middle.tar.gz!inner.zip!deep.jpg" not in shallow


def test_damaged_archive_is_a_row_not_a_crash(seizure: Path) -> None:
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("a.jpg", jpeg_bytes(picture()))
    (seizure / "broken.zip").write_bytes(good.getvalue()[:40])
    rows = run(seizure)
    assert rows["broken.zip"].sha256  # the archive file itself is fingerprinted
    assert "damaged" in (rows["broken.zip!"].error or "")


def test_symlink_loop_and_folder_link(seizure: Path) -> None:
    (seizure / "a").symlink_to(seizure / "b")
    (seizure / "b").symlink_to(seizure / "a")
    (seizure / "self").symlink_to(seizure)
    rows = run(seizure)
    assert "loop" in (rows["a"].error or "") and "loop" in (rows["b"].error or "")
    assert "not followed" in (rows["self"].error or "")
    assert rows["good.jpg"].pdq


def test_empty_file_and_device(seizure: Path) -> None:
    (seizure / "empty.jpg").write_bytes(b"")
    os.mkfifo(seizure / "pipe")
    rows = run(seizure)
    assert rows["empty.jpg"].error == "empty file" and rows["empty.jpg"].size == 0
    assert "not a regular file" in (rows["pipe"].error or "")


def test_unreadable_file(seizure: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = seizure / "locked.jpg"
    target.write_bytes(jpeg_bytes(picture(seed=9)))
    real_open = Path.open

    def guarded(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == "locked.jpg":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", guarded)
    rows = run(seizure)
    assert rows["locked.jpg"].error == "cannot read: Permission denied"
    assert rows["good.jpg"].pdq


def test_video_with_no_decodable_frame(seizure: Path, tmp_path: Path) -> None:
    data = bytearray(video_file(tmp_path / "v.mp4").read_bytes())
    mdat = data.find(b"mdat")
    data[mdat + 4 :] = bytes(len(data) - mdat - 4)  # every frame's bytes zeroed
    (seizure / "blank.mp4").write_bytes(bytes(data))
    record = fingerprint("blank.mp4", seizure / "blank.mp4", HashOptions())
    assert record.error and "video" in record.error
    assert record.vpdq is None and record.sha256


def test_runs_in_a_process_pool_in_input_order(seizure: Path) -> None:
    for index in range(12):
        (seizure / f"img{index:02}.png").write_bytes(png_bytes(picture(seed=index)))
    (seizure / "cut.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    single = [r.to_json() for r in fingerprint_paths([seizure], workers=1)]
    pooled = [r.to_json() for r in fingerprint_paths([seizure], workers=2)]
    assert pooled == single
    assert [r["path"] for r in single] == sorted(r["path"] for r in single)


def test_shared_vectors_walk_without_errors() -> None:
    tasks = list(walk([shared_media() / "pdq"]))
    assert len(tasks) > 40 and all(t.error is None for t in tasks)
