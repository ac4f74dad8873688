"""The import upload page: the background job imports with the command's importer, or lists every error."""

import csv
import io
import re
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.enums import Action
from audit.models import AuditEvent
from pathways.enums import ImportStatus
from pathways.exchange.jobs import import_job_run
from pathways.models import FinishedImportJobError, ImportJob, Member, Pathway
from territories.models import Structure
from tests.accounts.factories import UserFactory
from tests.exchange.folders import content, replace_line, write_folder
from tests.exchange.test_import import SUMMARY_FIRST_IMPORT, SUMMARY_UNCHANGED, failed_import, nothing_written
from tests.exchange.test_import import run_import as command_import
from tests.exchange.uploads import folder_zip, upload, zip_bytes

BAD_ROWS = {
    "pathways_csv": replace_line("pathways.csv", "S1,13001,", "S1,13999,"),
    "transitions_csv": replace_line("transitions.csv", "P1,evaluation,2020-02-01", "P1,evaluation,2020-02-30"),
}
EXPECTED_ERRORS = [
    "pathways.csv:3: commune: Commune inconnue : code INSEE « 13999 ».",
    "transitions.csv:3: date: Date invalide : « 2020-02-30 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA).",
]


@pytest.fixture
def admin(client, geo):
    user = UserFactory(username="dreets", administrator=True)
    client.force_login(user)
    return user


def error_lines(job) -> list[str]:
    return [f"{e['file']}:{e['line']}: {e['column']}: {e['message']}" for e in job.errors]


def table_rows(html: str, testid: str) -> list[list[str]]:
    table = re.search(rf'<table data-testid="{testid}">(.*?)</table>', html, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_valid_zip_is_imported_with_the_commands_counts(client, admin, tmp_path, django_capture_on_commit_callbacks):
    response, job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path))

    assert response.status_code == 302
    assert response.url == reverse("exchange:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.file_name, job.dry_run, job.errors, job.error) == (
        ImportStatus.DONE,
        "echange.zip",
        False,
        [],
        "",
    )
    assert job.summary == SUMMARY_FIRST_IMPORT
    assert (job.uploaded_by, job.started_at is not None, job.finished_at is not None) == (admin, True, True)
    assert bytes(job.content) == b""  # the file, which may hold names, is not kept
    assert Pathway.objects.filter(external_id__in=["P1", "P2"]).count() == 2
    assert set(Member.objects.values_list("last_name", flat=True)) == {"Durand", "Martin"}
    # The command then finds every row already there: the same rows were written.
    assert command_import(write_folder(tmp_path / "again"))[:-1] == SUMMARY_UNCHANGED

    page = client.get(reverse("exchange:job_detail", args=[job.pk])).content.decode()
    assert "Import terminé" in page
    assert 'hx-get="' not in page
    summary = re.search(r'<ul data-testid="summary">(.*?)</ul>', page, re.S).group(1)
    assert [unescape(line) for line in re.findall(r"<li>(.*?)</li>", summary)] == SUMMARY_FIRST_IMPORT


def test_zip_of_the_folder_itself_and_single_csv_file(client, admin, tmp_path, django_capture_on_commit_callbacks):
    folder = write_folder(tmp_path / "dossier", structures_csv=content("structures.csv") + "S3,CCAS Nice,ccas,\n")
    archive = SimpleUploadedFile("dossier.zip", zip_bytes(folder, inside="dossier"))
    _, job = upload(client, django_capture_on_commit_callbacks, archive)
    job.refresh_from_db()
    assert job.summary[0] == "structures.csv : 3 créé(s), 0 mis à jour, 0 inchangé(s)"

    # A spreadsheet's CSV: byte-order mark, semicolons, accents.
    single = SimpleUploadedFile("structures.csv", "\ufeffid;name;kind\nS3;CCAS de Nice – Acropolis;ccas\n".encode())
    _, job = upload(client, django_capture_on_commit_callbacks, single)
    job.refresh_from_db()
    assert (job.status, job.summary) == (ImportStatus.DONE, ["structures.csv : 0 créé(s), 1 mis à jour, 0 inchangé(s)"])
    assert Structure.objects.get(external_id="S3").name == "CCAS de Nice – Acropolis"


def test_ignored_files_are_listed_in_the_summary(client, admin, tmp_path, django_capture_on_commit_callbacks):
    _, job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path, notes_txt="à lire\n"))
    job.refresh_from_db()
    assert job.summary == ["Fichier ignoré : notes.txt", *SUMMARY_FIRST_IMPORT]


def test_rows_with_errors_fail_the_job_list_every_error_and_write_nothing(
    client, admin, tmp_path, django_capture_on_commit_callbacks
):
    _, job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path, **BAD_ROWS))

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert error_lines(job) == EXPECTED_ERRORS
    # The same list as the command's, for the same folder.
    command_errors, _ = failed_import(write_folder(tmp_path / "same", **BAD_ROWS))
    assert error_lines(job) == command_errors
    assert job.errors[0] == {
        "file": "pathways.csv",
        "line": 3,
        "column": "commune",
        "message": "Commune inconnue : code INSEE « 13999 ».",
    }
    nothing_written()

    page = client.get(reverse("exchange:job_detail", args=[job.pk])).content.decode()
    assert "2 erreurs : rien n'a été importé" in page
    assert table_rows(page, "errors") == [
        ["pathways.csv", "3", "commune", "Commune inconnue : code INSEE « 13999 »."],
        ["transitions.csv", "3", "date", "Date invalide : « 2020-02-30 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)."],
    ]
    assert reverse("exchange:job_errors_csv", args=[job.pk]) in page


def test_errors_download_as_a_csv_for_spreadsheets(client, admin, tmp_path, django_capture_on_commit_callbacks):
    _, job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path, **BAD_ROWS))

    response = client.get(reverse("exchange:job_errors_csv", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="erreurs-import-{job.pk}-echange.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["fichier", "ligne", "colonne", "message"],
        ["pathways.csv", "3", "commune", "Commune inconnue : code INSEE « 13999 »."],
        ["transitions.csv", "3", "date", "Date invalide : « 2020-02-30 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)."],
    ]


def test_a_job_without_errors_has_no_errors_csv(client, admin, tmp_path, django_capture_on_commit_callbacks):
    _, job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path))
    assert client.get(reverse("exchange:job_errors_csv", args=[job.pk])).status_code == 404


def test_dry_run_counts_and_writes_nothing(client, admin, tmp_path, django_capture_on_commit_callbacks):
    _, job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path), dry_run=True)

    job.refresh_from_db()
    assert (job.status, job.dry_run, job.summary) == (ImportStatus.DONE, True, SUMMARY_FIRST_IMPORT)
    nothing_written()
    page = client.get(reverse("exchange:job_detail", args=[job.pk])).content.decode()
    assert "Simulation réussie : rien n'a été écrit" in page


def refused(client, django_capture_on_commit_callbacks, file) -> str:
    response, job = upload(client, django_capture_on_commit_callbacks, file)
    assert response.status_code == 200
    assert job is None
    html = response.content.decode()
    # The message is tied to the control, for screen readers.
    assert 'aria-describedby="id_file-desc-error id_file-hint" aria-invalid="true"' in html
    errors = re.findall(r'<p class="fr-message fr-message--error">(.*?)</p>', html)
    return " | ".join(unescape(error) for error in errors)


def test_files_the_importer_cannot_read_are_refused_in_french(
    client, admin, tmp_path, settings, django_capture_on_commit_callbacks
):
    def refusal(name, data):
        return refused(client, django_capture_on_commit_callbacks, SimpleUploadedFile(name, data))

    assert refusal("notes.txt", b"bonjour") == "Déposez une archive .zip ou un fichier .csv (et non « notes.txt »)."
    assert refusal("menages.csv", b"id\n1\n") == (
        "« menages.csv » n'est pas un fichier du format d'échange : son nom doit être l'un de structures.csv, "
        "sites.csv, households.csv, pathways.csv, situations.csv, transitions.csv, contacts.csv, measures.csv, "
        "labels.csv, places.csv, proposals.csv, occupancies.csv."
    )
    assert refusal("structures.csv", b"") == "Le fichier « structures.csv » est vide."
    assert refusal("echange.zip", b"PK pas une archive") == "« echange.zip » n'est pas une archive .zip lisible."
    readme = tmp_path / "lisez-moi"
    readme.mkdir()
    (readme / "lisez-moi.txt").write_text("rien", encoding="utf-8")
    assert refusal("vide.zip", zip_bytes(readme)) == (
        "L'archive « vide.zip » ne contient aucun fichier du format d'échange (structures.csv, sites.csv, "
        "households.csv, pathways.csv, situations.csv, transitions.csv, contacts.csv, measures.csv, labels.csv, "
        "places.csv, proposals.csv, occupancies.csv)."
    )
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    assert refusal("structures.csv", b"id,name,kind\n" + b"x" * (2 * 1024 * 1024)) == (
        "Le fichier « structures.csv » pèse 2 Mo : la limite est de 1 Mo."
    )
    assert refused(client, django_capture_on_commit_callbacks, "") == "Choisissez le fichier à importer."
    assert ImportJob.objects.count() == 0
    nothing_written()


def test_an_archive_that_unpacks_too_large_is_refused(
    client, admin, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("contacts.csv", "pathway,date,kind\n" + "P1,2020-01-10,entretien\n" * 500_000)
    assert len(buffer.getvalue()) < 1024 * 1024

    message = refused(client, django_capture_on_commit_callbacks, SimpleUploadedFile("gros.zip", buffer.getvalue()))

    assert message == "L'archive « gros.zip » contient 11,4 Mo une fois décompressée : la limite est de 10 Mo."


def test_a_damaged_archive_fails_the_job_with_a_message(client, admin, tmp_path, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("structures.csv", "id,name,kind\nS1,SIAO 13,siao\n")
    data = buffer.getvalue().replace(b"SIAO 13", b"SIAO 14")  # the checksum no longer matches

    _, job = upload(client, django_capture_on_commit_callbacks, SimpleUploadedFile("abime.zip", data))

    job.refresh_from_db()
    assert (job.status, job.errors, job.summary) == (ImportStatus.FAILED, [], [])
    assert job.error == "L'archive « abime.zip » n'a pas pu être lue : elle est peut-être abîmée."
    page = client.get(reverse("exchange:job_detail", args=[job.pk])).content.decode()
    assert "L&#x27;archive « abime.zip » n&#x27;a pas pu être lue" in page
    nothing_written()


def test_every_finished_import_is_audited(client, admin, tmp_path, django_capture_on_commit_callbacks):
    _, done = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path, "a.zip"))
    _, simulated = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path, "b.zip"), dry_run=True)
    _, refused_job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path, "c.zip", **BAD_ROWS))

    events = AuditEvent.objects.filter(action=Action.IMPORT).order_by("id")
    assert list(events.values_list("user", "username", "target", "target_id", "detail")) == [
        (admin.pk, "dreets", "exchange", done.pk, "a.zip (page web) : importé"),
        (admin.pk, "dreets", "exchange", simulated.pk, "b.zip (page web) : simulation, rien n'a été écrit"),
        (admin.pk, "dreets", "exchange", refused_job.pk, "c.zip (page web) : refusé, 2 erreur(s)"),
    ]


def test_pending_job_page_polls_until_the_job_is_finished(client, admin, tmp_path, django_capture_on_commit_callbacks):
    # Without running the on-commit callbacks, the job stays pending, as while it waits for a worker
    # (the broker has it: sent_at is set, as the callback does).
    client.post(reverse("exchange:upload"), {"file": folder_zip(tmp_path)})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(sent_at=timezone.now())
    status_url = reverse("exchange:job_status", args=[job.pk])

    page = client.get(reverse("exchange:job_detail", args=[job.pk])).content.decode()
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in page
    assert "l'import va commencer" in page
    polled = client.get(status_url)
    assert "HX-Refresh" not in polled
    assert "En attente" in polled.content.decode()

    import_job_run(job_id=job.pk)

    polled = client.get(status_url)
    assert polled["HX-Refresh"] == "true"
    assert 'hx-get="' not in polled.content.decode()


def test_a_finished_job_never_changes(client, admin, tmp_path, django_capture_on_commit_callbacks):
    _, job = upload(client, django_capture_on_commit_callbacks, folder_zip(tmp_path))
    job.refresh_from_db()

    with pytest.raises(FinishedImportJobError, match="Un import terminé ne change plus"):
        import_job_run(job_id=job.pk)
    job.summary = []
    with pytest.raises(FinishedImportJobError):
        job.save()
    job.refresh_from_db()
    assert job.summary == SUMMARY_FIRST_IMPORT
