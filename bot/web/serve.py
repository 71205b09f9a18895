"""`python -m bot serve`: the app on waitress, a production WSGI server.

Loading happens before the socket opens: if the index, model or prompts cannot be trusted the
command prints one line and exits non-zero, and nothing ever answers from a half-loaded state.
"""

from __future__ import annotations

import argparse
import logging


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import waitress

    from bot.library.school import MAX_UPLOAD_BYTES
    from bot.search.onnx_encoder import server_threads
    from bot.web.app import create_app

    logging.basicConfig(level=getattr(logging, args.log_level.upper()), format="%(asctime)s %(name)s %(message)s")
    # the encoder's threads per request, shared out from the cores between waitress's threads
    os.environ.setdefault("BOT_ENCODER_THREADS", str(server_threads(args.threads)))
    config = {"RATE_LIMIT": args.rate_limit} if args.rate_limit else {}
    if args.trusted_proxies is not None:
        config["TRUSTED_PROXIES"] = args.trusted_proxies
    app = create_app(config or None)
    print(f"serving on http://{args.host}:{args.port}", flush=True)
    # With no trusted proxy, forwarded headers are dropped before the app sees them; with some,
    # they are kept for the app's ProxyFix, which trusts exactly that many hops.
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="",
                   # The admin upload (10 MB) is the largest body any route reads; under this bound
                   # the app itself answers 413 with its documented message.
                   max_request_body_size=MAX_UPLOAD_BYTES + 1024 * 1024,
                   clear_untrusted_proxy_headers=app.config["TRUSTED_PROXIES"] == 0)
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
    p.add_argument("--trusted-proxies", type=int, default=None, metavar="N",
                   help="reverse proxies in front of the app (default 0, or $BOT_TRUSTED_PROXIES): the client "
                        "address, used by the rate limit, is taken from X-Forwarded-For across exactly N hops")
    p.set_defaults(func=cmd_serve)
