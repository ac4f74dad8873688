"""A bilan as people read it (reports.exports.tables), and its files: XLSX, CSV and PDF.

The bilan pages, the downloads and the `bilan` command all go through the same table, so a file always
holds the figures of the page it came from, with the same statistical secrecy.
"""
