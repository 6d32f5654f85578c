"""Machine and CI output formats (one sub-package per command family)."""
