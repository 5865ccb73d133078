"""Local web app and JSON API over a store (``newstrace serve``)."""

from newstrace.web.app import create_app, serve

__all__ = ["create_app", "serve"]
