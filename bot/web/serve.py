"""`python -m bot serve`: the app on waitress, a production WSGI server.

Loading happens before the socket opens: if the index, model or prompts cannot be trusted the
command prints one line and exits non-zero, and nothing ever answers from a half-loaded state.
"""

from __future__ import annotations

import argparse
import logging


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from bot.web.app import create_app

    logging.basicConfig(level=getattr(logging, args.log_level.upper()), format="%(asctime)s %(name)s %(message)s")
    app = create_app({"RATE_LIMIT": args.rate_limit} if args.rate_limit else None)
    print(f"serving on http://{args.host}:{args.port}", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"], clear_untrusted_proxy_headers=True)
    return 0


def add_serve_parser(sub) -> None:
    p = sub.add_parser("serve", help="serve the web app and JSON API (waitress)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    p.add_argument("--log-level", choices=("debug", "info", "warning"), default="info",
                   help="log detail (default info); no level ever logs question text")
    p.add_argument("--rate-limit", help='questions per client address, e.g. "120 per minute" (the default; '
                                        '$BOT_RATE_LIMIT also sets it), or "off"')
    p.set_defaults(func=cmd_serve)
