"""Content files in and out: Markdown with YAML front matter, one file per record."""
