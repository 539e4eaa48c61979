"""Publishing: case studies, webinar records, their translations and reported problems."""
