"""Server-rendered web UI (Jinja2 templates, hand-written CSS/JS, no build step, no CDN)."""
