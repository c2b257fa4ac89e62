"""localise: offline localisation of Markdown articles through gettext catalogues."""

__version__ = "0.1.0"
