import csv
import gzip

from territories.enums import EpciKind
from territories.geography import DATA_DIR


def test_every_epci_type_of_the_data_is_a_known_kind():
    with gzip.open(DATA_DIR / "epci.csv.gz", mode="rt", encoding="utf-8") as handle:
        kinds = {row["type"] for row in csv.DictReader(handle)}
    assert kinds <= set(EpciKind.values)
