"""The analyst web UI: server-rendered pages (Jinja2, autoescaped) mounted at ``/ui`` in the API app.

Why a mounted sub-application: the UI shares the process, the ``Services`` core, the key store and the
rate limiter with the REST API, but answers errors as HTML pages instead of JSON and signs in with a
cookie instead of a header. Every action calls the same ``Services`` method the matching REST route
calls, under the same role (``screen`` < ``analyst`` < ``admin``); see docs/SERVICE.md.
"""

from __future__ import annotations

from chipguard.api.web.app import create_web_app

__all__ = ["create_web_app"]
