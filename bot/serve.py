"""`python -m bot serve`: the app on waitress, a production WSGI server.

Loading happens before the socket opens: if the index, model or prompts cannot be trusted the
command prints one line and exits non-zero, and nothing ever answers from a half-loaded state.
"""

from __future__ import annotations

import argparse
import logging


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from bot.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app()
    print(f"serving on http://{args.host}:{args.port}", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"], clear_untrusted_proxy_headers=True)
    return 0


def add_serve_parser(sub) -> None:
    p = sub.add_parser("serve", help="serve the web app and JSON API (waitress)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    p.set_defaults(func=cmd_serve)
