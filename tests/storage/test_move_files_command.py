"""`move_files_to_storage` copies the files of MEDIA_ROOT into the object store, checked, once, and says how it went."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from storages.backends.s3 import S3Storage

FILES = {
    "proposals/7/20261201120000-3f2a9c1b7d4e.pdf": b"%PDF-1.4\n" + b"a" * 3000 + b"\n%%EOF\n",
    "proposals/8/20261202090000-0b1c2d3e4f50.pdf": b"%PDF-1.4\nsecond\n%%EOF\n",
    "exports/1/4/partners-20261203-101500.xlsx": b"PK\x03\x04 an Excel file",
}


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "media"
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    settings.MEDIA_ROOT = str(root)
    return root


def _move(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("move_files_to_storage", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_every_file_is_copied_under_its_own_name_with_a_progress_bar(media, s3_storage, object_store):
    out, _err = _move()

    assert object_store.keys(s3_storage) == sorted(FILES)
    for name, content in FILES.items():
        assert object_store.read(s3_storage, name) == content
        head = object_store.client().head_object(Bucket=s3_storage, Key=name)
        assert head["ServerSideEncryption"] == "AES256"
    assert "3/3" in out and "100%" in out, out
    assert "3 copied and verified, 0 already in the storage, 0 not copied, of 3 files" in out
    assert sorted(path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()) == sorted(FILES), (
        "the local files stay unless asked"
    )


def test_a_second_run_copies_nothing_again(media, s3_storage, object_store):
    _move()
    modified = {name: object_store.client().head_object(Bucket=s3_storage, Key=name)["LastModified"] for name in FILES}

    out, _err = _move()

    assert "0 copied and verified, 3 already in the storage, 0 not copied" in out
    assert object_store.keys(s3_storage) == sorted(FILES), "no renamed duplicates"
    assert {
        name: object_store.client().head_object(Bucket=s3_storage, Key=name)["LastModified"] for name in FILES
    } == modified


def test_a_different_file_under_the_same_name_is_reported_and_left_alone(media, s3_storage, object_store):
    taken = "proposals/8/20261202090000-0b1c2d3e4f50.pdf"
    object_store.client().put_object(Bucket=s3_storage, Key=taken, Body=b"someone else's file")

    with pytest.raises(CommandError, match="2 copied and verified, 0 already in the storage, 1 not copied"):
        _move()

    assert object_store.read(s3_storage, taken) == b"someone else's file"
    assert (media / taken).exists()


def test_a_copy_that_arrives_altered_is_removed_and_reported(media, s3_storage, object_store, monkeypatch):
    save = S3Storage._save

    def corrupting_save(self, name, content):
        return save(self, name, ContentFile(content.read()[:-1]))

    monkeypatch.setattr(S3Storage, "_save", corrupting_save)
    err = io.StringIO()
    with pytest.raises(CommandError, match="0 copied and verified, 0 already in the storage, 3 not copied"):
        call_command("move_files_to_storage", stdout=io.StringIO(), stderr=err)

    assert object_store.keys(s3_storage) == []
    assert "the copy's SHA-256 differs from the original's; the copy was removed" in err.getvalue()


def test_delete_local_removes_each_file_once_its_copy_is_verified(media, s3_storage, object_store):
    _move("--delete-local")

    assert object_store.keys(s3_storage) == sorted(FILES)
    assert list(media.iterdir()) == [], "files and the emptied folders are gone"


def test_the_command_refuses_to_copy_a_directory_onto_itself(media, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}

    with pytest.raises(CommandError, match="set STORAGE_URL to the object store first"):
        _move()
