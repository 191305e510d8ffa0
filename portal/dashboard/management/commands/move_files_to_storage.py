"""Copy the files kept on this machine's disk into the configured object storage, checking each one.

Run once when a deployment moves from the filesystem to an S3-compatible store: set STORAGE_URL (or the AWS_*
settings), then `manage.py move_files_to_storage` on the machine that has MEDIA_ROOT. Each file keeps its name,
so the rows that refer to it need no change. Each copy is read back and its SHA-256 compared with the
original's; a file already in the store with the same content is skipped, so the command can be run again
after an interruption. A file whose name is taken in the store by different content is reported and left
alone. `--delete-local` removes a local file once its copy is verified.
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

CHUNK = 1024 * 1024


def _sha256(chunks):
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def local_sha256(path):
    with path.open("rb") as source:
        return _sha256(iter(lambda: source.read(CHUNK), b""))


def stored_sha256(storage, name):
    with storage.open(name, "rb") as stored:
        return _sha256(stored.chunks(CHUNK))


class Command(BaseCommand):
    help = "Copy the files under MEDIA_ROOT (or --source) into the default storage, verifying each copy's SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--source", help="the directory to copy from (default: MEDIA_ROOT)")
        parser.add_argument(
            "--delete-local", action="store_true", help="remove each local file once its copy is verified"
        )

    def handle(self, *args, source=None, delete_local=False, verbosity=1, **options):
        root = Path(source or settings.MEDIA_ROOT).resolve()
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory.")
        storage = default_storage
        if isinstance(storage, FileSystemStorage) and Path(storage.location).resolve() == root:
            raise CommandError(
                f"The default storage is the directory {root} itself: set STORAGE_URL to the object store first."
            )
        files = sorted(path for path in root.rglob("*") if path.is_file())
        counts = {"copied": 0, "present": 0, "failed": 0}
        problems = []
        progress = tqdm(
            files,
            desc="Copying",
            unit="file",
            file=_Unterminated(self.stdout),
            disable=verbosity == 0,
            ascii=True,
            dynamic_ncols=False,
            ncols=80,
        )
        for path in progress:
            name = path.relative_to(root).as_posix()
            try:
                outcome = self._copy(storage, path, name)
            except Exception as error:  # one unreadable file or refused upload must not stop the others
                outcome = f"{type(error).__name__}: {error}"
            if outcome in ("copied", "present"):
                counts[outcome] += 1
                if delete_local:
                    path.unlink()
            else:
                counts["failed"] += 1
                problems.append(f"{name}: {outcome}")
        progress.close()
        for problem in problems:
            self.stderr.write(problem)
        summary = (
            f"{counts['copied']} copied and verified, {counts['present']} already in the storage, "
            f"{counts['failed']} not copied, of {len(files)} files in {root}."
        )
        if counts["failed"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
        if delete_local:
            self._remove_empty_directories(root)

    def _copy(self, storage, path, name):
        """'copied' or 'present' when the store holds the file's exact content, or what went wrong."""
        expected = local_sha256(path)
        if storage.exists(name):
            if stored_sha256(storage, name) == expected:
                return "present"
            return "a different file of this name is already in the storage; left as it is"
        with path.open("rb") as source:
            saved = storage.save(name, File(source, name=name))
        if saved != name:
            storage.delete(saved)
            return f"the storage renamed the copy to {saved}; removed it"
        if stored_sha256(storage, name) != expected:
            storage.delete(name)
            return "the copy's SHA-256 differs from the original's; the copy was removed"
        return "copied"

    def _remove_empty_directories(self, root):
        for directory, _subdirectories, _files in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
            if Path(directory) != root and not os.listdir(directory):
                os.rmdir(directory)


class _Unterminated:
    """The command's output as the progress bar needs it: written as given, without a newline added."""

    def __init__(self, output):
        self.output = output

    def write(self, text):
        self.output.write(text, ending="")

    def flush(self):
        self.output.flush()
