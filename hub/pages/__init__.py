"""The hub's own pages (About, Contact, Privacy): Markdown files in `content/pages/`, one per
language (`<page>.<lang>.md`, front matter `title` and `description`), rendered by
`hub.markdown`."""
