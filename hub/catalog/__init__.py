"""The public read side: case studies, webinar records, themes and the home page."""
