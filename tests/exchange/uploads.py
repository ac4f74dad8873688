"""Uploading exchange folders from the web page in tests."""

import io
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pathways.models import ImportJob
from tests.exchange.folders import write_folder


def zip_bytes(folder: Path, *, inside: str = "") -> bytes:
    """The folder's files as a .zip, at its root or under `inside/` (as when one zips the folder itself)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, arcname=f"{inside}/{path.name}" if inside else path.name)
    return buffer.getvalue()


def folder_zip(tmp_path: Path, name: str = "echange.zip", **overrides) -> SimpleUploadedFile:
    folder = write_folder(tmp_path / Path(name).stem, **overrides)
    return SimpleUploadedFile(name, zip_bytes(folder), content_type="application/zip")


def upload(client, django_capture_on_commit_callbacks, file, *, dry_run=False):
    """Post the form and run the background import as the worker would; returns (response, job)."""
    data = {"file": file}
    if dry_run:
        data["dry_run"] = "on"
    before = set(ImportJob.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:upload"), data)
    created = ImportJob.objects.exclude(pk__in=before)
    return response, created.get() if created.exists() else None
