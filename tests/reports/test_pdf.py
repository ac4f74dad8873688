"""The bilan PDF: tagged and accessible (PDF/UA-1), A4 portrait with landscape pages where a table needs
them, few pages, and an exact (internal) PDF that says which figures observers see hidden."""

import contextlib
import re
import subprocess
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import services
from reports.exports.pdf import territory_blocks
from reports.exports.tables import run_table
from reports.models import Target
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PORTRAIT, LANDSCAPE = b"[0 0 595.275591 841.889764]", b"[0 0 841.889764 595.275591]"


def pdf_objects(content: bytes) -> bytes:
    """The PDF's bytes with its compressed streams (object streams included) inflated, to search."""
    parts = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        with contextlib.suppress(zlib.error):  # fonts and images: nothing to read in them
            parts.append(zlib.decompress(match.group(1)))
    return b"\n".join(parts)


def page_sizes(content: bytes) -> list[bytes]:
    return re.findall(rb"/MediaBox (\[[^\]]*\])", pdf_objects(content))


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "bilan.pdf"
    path.write_bytes(content)
    text = subprocess.run(["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    return text.decode().replace("\xa0", " ")


def download(client, user, run) -> bytes:
    client.force_login(user)
    response = client.get(reverse("reports:run_export", args=[run.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_the_pdf_is_tagged_for_accessibility(client, run, admin):
    objects = pdf_objects(download(client, admin, run))
    # A structure tree (headings, tables, figures), marked content, the language and the title shown.
    for marker in (b"/StructTreeRoot", b"/MarkInfo", b"/Marked true", b"/DisplayDocTitle true", b"/Lang (fr)"):
        assert marker in objects, marker
    for tag in (b"/S /H1", b"/S /Table", b"/S /TH", b"/S /TD", b"/S /Figure"):
        assert tag in objects, tag
    # PDF/UA-1 declared in the metadata, and each chart's text alternative.
    assert re.search(rb'pdfuaid:part(>|=")1', objects)
    assert b"/Alt (Places cr" in objects or b"/Alt <" in objects


def test_a_region_fits_few_pages_with_its_sub_territories_on_a_landscape_page(client, run, admin, tmp_path):
    content = download(client, admin, run)
    sizes = page_sizes(content)
    # By year (portrait), the six départements (one landscape page), the charts, the definitions.
    assert sizes[0] == PORTRAIT and sizes[1] == LANDSCAPE and sizes[2:] == [PORTRAIT] * (len(sizes) - 2)
    assert len(sizes) <= 5
    pages = pdf_text(content, tmp_path).split("\f")
    assert "Indicateurs par sous-territoire" in pages[1] and "Axe 5 — Mobiliser" in pages[1]
    assert "Graphiques" in pages[2]
    # The sub-territory header names and the figures are in their own columns.
    header = next(line for line in pages[1].splitlines() if line.split()[:1] == ["Indicateur"])
    assert "Hautes-Alpes" in header and "Vaucluse" in header
    line = next(line for line in pages[1].splitlines() if "Places de pensions de famille créées" in line)
    assert line.split()[-7:] == ["0", "0", "0", "0", "25", "3", "28"]


def test_targets_put_the_years_on_a_landscape_page_with_the_progress_inside_its_table(client, run, admin, tmp_path):
    Target.objects.create(
        territory_kind="region",
        territory_code="93",
        territory_name="Provence-Alpes-Côte d'Azur",
        indicator_code="places_iml_creees",
        start=run.start,
        end=run.end,
        value=Decimal(200),
        set_by=admin,
    )
    content = download(client, admin, run)
    assert page_sizes(content)[0] == LANDSCAPE
    first = pdf_text(content, tmp_path).split("\f")[0]
    line = next(line for line in first.splitlines() if "Places d'intermédiation locative créées" in line)
    assert line.split()[-9:] == ["0", "120", "0", "40", "0", "160", "200", "80,0", "%"]


def test_many_sub_territories_are_split_into_tables_that_fit(run):
    table = run_table(run, secrecy=False)
    table.sub_territories = [(f"epci:{n}", f"EPCI {n}") for n in range(13)]
    for row in table.rows:
        row.territories = [row.total] * 13
    blocks = territory_blocks(table, 8)
    # 13 EPCI and the territory's own column: two tables of 7 columns.
    assert [len(block.names) + block.with_total for block in blocks] == [7, 7]
    assert [block.with_total for block in blocks] == [False, True]
    assert sum(len(block.names) for block in blocks) == 13


def test_the_exact_pdf_of_a_published_run_says_what_observers_see_hidden(client, run, admin, tmp_path):
    services.bilan_run_publish(run=run, by=admin)
    text = pdf_text(download(client, admin, run), tmp_path)
    flat = " ".join(text.split())
    assert "Chiffres exacts — usage interne, ne pas diffuser." in flat
    assert "Ce bilan est publié : ses observateurs en lisent la version sous secret statistique." in flat
    public = run_table(run, secrecy=True)
    hidden = sum(cell.hidden for row in public.rows for cell in (row.total, *row.years, *row.territories))
    assert hidden > 0
    assert f"Les {hidden} chiffres marqués < 5 ou secret y sont masqués" in flat
    # The exact figure, then what observers read instead: 2 street homeless attributions in 2020.
    first = text.split("\f")[0]
    lines = first.splitlines()
    # The label wraps on two lines; its figures are on the first one.
    index = next(i for i, line in enumerate(lines) if line.split()[:2] == ["ménages", "sans-abri"])
    assert lines[index - 1].split()[-8:] == ["0", "0", "2", "<5", "0", "0", "2", "<5"]

    observer = UserFactory(username="federation", observer=True)
    public = " ".join(pdf_text(download(client, observer, run), tmp_path).split())
    assert "usage interne" not in public and "Secret statistique :" in public
