"""Packages for the import tests: good ones built with the package writer, hostile ones built byte by byte."""
