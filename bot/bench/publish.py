"""Publishing a document while staff keep asking: no request dropped, no half-built index served.

Starts `python -m bot serve` with a fresh instance folder and an admin account, puts `--clients`
clients of load on POST /api/ask, and after `--publish-after` seconds signs in as the lead,
uploads a generated PDF and publishes it. Every response is checked to be a whole answer object;
a separate client asks a question only the new document answers, every 0.2 s, to time the swap.

    python -m bot.bench.publish [--clients 8] [--seconds 60] [--publish-after 15]
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from bot.bench.services import free_port
from bot.config import PROJECT_ROOT
from bot.evaluation.labelled import DEFAULT_QUESTIONS

PASSWORD = "benchmark password 1"
ONLY_THE_PDF = "Who checks the filtering logs at Blue Door Academy, and when?"
PAGES = [["Blue Door Academy online safety policy."],
         ["At Blue Door Academy the online safety officer checks the filtering logs every Friday afternoon, "
          "and reports any attempt to reach a nudify website to the head of year."]]


def make_pdf(path: Path, pages: list[list[str]]) -> None:
    """A text PDF, one list of paragraphs per page (the tests build their PDFs with it too)."""
    from fpdf import FPDF  # a test dependency: the benchmark runs from the development install

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(6)
    pdf.output(str(path))


def make_docx(path: Path, title: str, sections: list[tuple[str, list[str]]], footer: str = "") -> None:
    """A Word document as a school writes its policy: a title, numbered "Heading 1" sections, body
    paragraphs ("5.1 ...") and "List Bullet" items (a paragraph starting "- "), a page footer."""
    import docx

    document = docx.Document()
    document.add_paragraph(title, style="Title")
    for heading, paragraphs in sections:
        document.add_paragraph(heading, style="Heading 1")
        for text in paragraphs:
            if text.startswith("- "):
                document.add_paragraph(text[2:], style="List Bullet")
            else:
                document.add_paragraph(text)
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
        document.sections[0].header.paragraphs[0].text = footer
    document.save(str(path))


def whole_answer(body: bytes) -> bool:
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return all(key in answer for key in ("question", "answered", "passages", "escalation"))


def publish(base: str, pdf: Path, title: str = "Blue Door online safety policy") -> None:
    """Sign in, upload, and publish, as the lead's browser would (cookies and CSRF tokens)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def token(html: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    page = opener.open(base + "/admin/sign-in").read().decode()
    opener.open(base + "/admin/sign-in", urllib.parse.urlencode(
        {"name": "lead", "password": PASSWORD, "csrf_token": token(page)}).encode())
    page = opener.open(base + "/admin/documents").read().decode()
    boundary = "----bench" + str(time.time_ns())
    fields = {"csrf_token": token(page), "title": title, "publisher": "Blue Door Academy",
              "date": "2025-09-01", "procedures": "y"}
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="policy.pdf"\r\n'
             "Content-Type: application/pdf\r\n\r\n").encode() + pdf.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(base + "/admin/documents", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    review = opener.open(request)
    review_url, html = review.geturl(), review.read().decode()
    opener.open(review_url + "/publish", urllib.parse.urlencode({"csrf_token": token(html)}).encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.publish", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--publish-after", type=float, default=15)
    parser.add_argument("--pdf", type=Path, help="publish this PDF instead of the made-up two-page policy "
                                                 "(e.g. ../shared/library/kcsie-2024.pdf, 185 pages)")
    parser.add_argument("--probe", default=ONLY_THE_PDF,
                        help="a question only the published document answers; its first quote from that "
                             "document marks the new library serving")
    args = parser.parse_args(argv)
    title = "Blue Door online safety policy" if args.pdf is None else f"Published {args.pdf.stem}"

    work = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    subprocess.run([sys.executable, "-m", "bot", "admin", "add-user", "lead", "--instance", str(work / "instance"),
                    "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, cwd=PROJECT_ROOT,
                   stdout=subprocess.DEVNULL)
    if args.pdf is None:
        make_pdf(work / "policy.pdf", PAGES)
    else:
        (work / "policy.pdf").write_bytes(args.pdf.read_bytes())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--rate-limit", "off"],
                            cwd=PROJECT_ROOT, env={**__import__("os").environ, "BOT_INSTANCE_DIR": str(work / "instance")},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if urllib.request.urlopen(base + "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("error: the server did not start") from None
                time.sleep(0.5)
        questions = [json.loads(line)["question"] for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()]
        stop_at = time.monotonic() + args.seconds
        results: list[tuple[float, float, bool]] = []  # (when, seconds, whole answer)
        lock = threading.Lock()

        def client(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            i = n
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                try:
                    conn.request("POST", "/api/ask", body=json.dumps({"question": questions[i % len(questions)]}),
                                 headers={"Content-Type": "application/json"})
                    response = conn.getresponse()
                    ok = response.status == 200 and whole_answer(response.read())
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    results.append((time.monotonic(), time.perf_counter() - t0, ok))
                i += args.clients

        swapped_at: list[float] = []

        def watcher() -> None:
            while time.monotonic() < stop_at and not swapped_at:
                request = urllib.request.Request(base + "/api/ask", data=json.dumps({"question": args.probe}).encode(),
                                                 headers={"Content-Type": "application/json"})
                answer = json.loads(urllib.request.urlopen(request, timeout=60).read())
                if any(p["source"]["title"] == title for p in answer["passages"]):
                    swapped_at.append(time.monotonic())
                time.sleep(0.2)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        threads.append(threading.Thread(target=watcher))
        for t in threads:
            t.start()
        time.sleep(args.publish_after)
        published_at = time.monotonic()
        publish(base, work / "policy.pdf", title)
        for t in threads:
            t.join()
        during = [s for when, s, _ in results if published_at <= when <= (swapped_at[0] if swapped_at else stop_at)]
        summary = {
            "requests": len(results), "errors": sum(not ok for _, _, ok in results),
            "requests_while_rebuilding": len(during),
            "p50_ms_while_rebuilding": round(float(np.percentile(during, 50)) * 1000, 1) if during else None,
            "p50_ms_otherwise": round(float(np.percentile(
                [s for when, s, _ in results if when < published_at], 50)) * 1000, 1),
            "seconds_from_publish_to_new_answers": round(swapped_at[0] - published_at, 1) if swapped_at else None,
        }
        print(json.dumps(summary, indent=1))
        return 0 if summary["errors"] == 0 and swapped_at else 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
