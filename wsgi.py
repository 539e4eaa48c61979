"""Entry point for production servers: `gunicorn wsgi:app`."""

from hub import create_app

app = create_app()
