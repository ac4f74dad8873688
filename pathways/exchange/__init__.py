"""The exchange format (docs/echange.md): a folder of CSV files to import and export a territory's data."""
