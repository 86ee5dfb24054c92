#!/usr/bin/env bash
# The Django app payple-hj3415 (PyPI, pinned in scripts/django-common.sh, unmodified) end to end in a headless
# Chromium against the local mock: a shop page links to the app's start page (made with the
# app's own `payple_start_url` tag); the app's template loads jQuery and Payple's window
# script from their public hosts; the tester's click in the mock's window posts the result to
# the app's result view; the app's confirm view makes the server-side CERT confirmation at
# the mock; the browser lands on the shop's success or fail page. Cases: approve (order
# CONFIRMED in the app's database with the mock's trade number, and a paid order in the
# mock's ledger), decline (the fail page; the order neither confirmed nor paid) and a refused
# confirmation (wrong custKey: the fail page, the order FAILED).
#
# The app hard-codes https://democpay.payple.kr/js/v1/payment.js (PAYPLE["ENV"] "demo")
# and https://ajax.googleapis.com/ajax/libs/jquery/3.4.1/jquery.min.js; it has no setting
# for either. Nothing in the app is changed: Chromium's --host-resolver-rules send both
# names (and only them) to a local TLS front with a throwaway self-signed certificate made
# here with openssl, which Chromium trusts by its key hash alone
# (--ignore-certificate-errors-spki-list); every other name fails to resolve. The front
# forwards democpay.payple.kr to the mock's cpay port and serves jQuery 3.4.1 from the npm
# registry's `jquery` package (checked against the CDN's published SHA-256).
#
# Run by .ci/run (step 6d, after 6c installed Chromium). Needs python3 (with venv), npm,
# openssl (installed from Debian when missing, as root), PyPI, and /usr/bin/chromium +
# /usr/bin/chromedriver (Debian's chromium and chromium-driver; PAYPLE_CHROMIUM /
# PAYPLE_CHROMEDRIVER override): a missing browser is an error. PAYPLE_DJANGO_VENV reuses a
# venv that already has the pins below; PAYPLE_DJANGO_SCREENSHOT=FILE.png saves the window
# as the app opened it. About 20 s, most of it the pip install.
set -euo pipefail
cd "$(dirname "$0")/.."

SELENIUM=4.51.0
JQUERY=3.4.1
JQUERY_SHA256=0925e8ad7bd971391a8b1e98be8e87a6971919eb5b60c196485941c3c1df089a

chromium="${PAYPLE_CHROMIUM:-/usr/bin/chromium}"
chromedriver="${PAYPLE_CHROMEDRIVER:-/usr/bin/chromedriver}"
for tool in "$chromium" "$chromedriver"; do
  [ -x "$tool" ] || {
    echo "error: $tool is not installed (apt-get install chromium chromium-driver)" >&2
    exit 1
  }
done
if ! command -v openssl >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl) >/dev/null ||
    echo "warning: could not install openssl" >&2
fi
for tool in npm openssl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is not installed" >&2; exit 1; }
done

# shellcheck source=scripts/django-common.sh
source scripts/django-common.sh
django_venv "selenium==$SELENIUM"

# jQuery at the path the app's template names, from the npm registry (npm checks the
# tarball's integrity; the file's hash is the one the CDN publishes for 3.4.1).
mkdir -p "$work/npm"
for attempt in 1 2 3; do
  if (cd "$work/npm" && npm pack --silent "jquery@$JQUERY" >/dev/null); then break; fi
  [ "$attempt" -eq 3 ] && exit 1
  sleep 10
done
tar -xzf "$work/npm/jquery-$JQUERY.tgz" -C "$work/npm" package/dist/jquery.min.js
cp "$work/npm/package/dist/jquery.min.js" "$work/jquery.min.js"
echo "$JQUERY_SHA256  $work/jquery.min.js" | sha256sum --check --quiet

# A throwaway certificate for the two public names; Chromium trusts its key alone.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=democpay.payple.kr" \
  -addext "subjectAltName=DNS:democpay.payple.kr,DNS:ajax.googleapis.com" \
  -keyout "$work/front.key" -out "$work/front.crt" 2>/dev/null
spki=$(openssl x509 -in "$work/front.crt" -pubkey -noout |
  openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)

start_mock

cd "$work"
# Bounded: a browser that hangs must fail the run, not hold CI.
MOCK_CPAY="$cpay" WORK="$work" SPKI="$spki" CHROMIUM="$chromium" CHROMEDRIVER="$chromedriver" \
  JQUERY_PATH="/ajax/libs/jquery/$JQUERY/jquery.min.js" timeout 300 "$venv/bin/python" - <<'PY'
import builtins, http.client, json, os, re, ssl, sys, threading, time, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The app prints the window result it receives; its tokens (the mock's) are never shown.
_print = builtins.print
_TOKEN = re.compile(r"('PCD_(?:AUTH_KEY|CST_ID|CUST_KEY|PAYER_ID)': ')[^']*'")
builtins.print = lambda *a, **k: _print(*(_TOKEN.sub(r"\1<redacted>'", str(x)) for x in a), **k)

mock = os.environ["MOCK_CPAY"]
work = os.environ["WORK"]
mock_host = urllib.parse.urlsplit(mock)
jquery_path = os.environ["JQUERY_PATH"]
with open(os.path.join(work, "jquery.min.js"), "rb") as f:
    jquery = f.read()


def get_json(url):
    return json.load(urllib.request.urlopen(url, timeout=10))


# ---- the TLS front for democpay.payple.kr and ajax.googleapis.com -----------------------

front_log = []  # (host, method, path, status)


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, ctype, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        status = 404
        try:
            if host == "democpay.payple.kr":
                # Payple's test host: every path to the mock's cpay port, as it is.
                conn = http.client.HTTPConnection(mock_host.hostname, mock_host.port, timeout=10)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("content-type", "referer", "origin", "accept")}
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                status = r.status
                extra = [(k, v) for k, v in r.getheaders()
                         if k.lower().startswith("access-control-") or k.lower() == "cache-control"]
                conn.close()
                self._send(status, r.getheader("Content-Type", "application/octet-stream"), data, extra)
            elif host == "ajax.googleapis.com" and self.path == jquery_path and self.command in ("GET", "HEAD"):
                status = 200
                self._send(200, "text/javascript; charset=utf-8", jquery)
            else:
                self._send(404, "text/plain", b"not served by the local front\n")
        finally:
            front_log.append((host, self.command, self.path.split("?")[0], status))

    do_GET = do_POST = do_HEAD = do_OPTIONS = _handle


front = ThreadingHTTPServer(("127.0.0.1", 0), Front)
front.daemon_threads = True
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(os.path.join(work, "front.crt"), os.path.join(work, "front.key"))
front.socket = tls.wrap_socket(front.socket, server_side=True)
front_port = front.server_address[1]
threading.Thread(target=front.serve_forever, daemon=True).start()

# ---- the Django project using the app, served on 127.0.0.1 ------------------------------

import socket

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    shop_port = s.getsockname()[1]
shop = f"http://127.0.0.1:{shop_port}"

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="payple-spec-ci",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "payple_hj3415",
    ],
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    # A file, not :memory:: the server's threads must see the same database.
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": os.path.join(work, "shop.sqlite3")}},
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }],
    USE_TZ=True,
    PAYPLE={
        "ENV": "demo",  # the app's template then loads https://democpay.payple.kr/js/v1/payment.js
        "CST_ID": "test",
        "CUST_KEY": "abcd1234567890",
        "CLIENT_KEY": "test_DF55F29DA654A8CBC0F0A9DD4B556486",
        "REFERER": shop,
    },
    PAYPLE_API_BASE=mock,
)
django.setup()

from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.template import engines
from django.test import override_settings
from django.urls import include, path
from payple_hj3415.models import Payment

# The shop: a checkout page whose "Pay" link is the app's own template tag, and the
# success and fail pages the app redirects to.
CHECKOUT = engines["django"].from_string(
    "{% load payple_tags %}<!DOCTYPE html><title>shop</title>"
    "<a id='pay' href='{% payple_start_url oid 15000 'payple-spec T-shirt' success fail %}'>Pay</a>"
)


def checkout(request):
    oid = request.GET["oid"]
    return HttpResponse(CHECKOUT.render({
        "oid": oid,
        "success": f"{shop}/shop/success/?order={oid}",
        "fail": f"{shop}/shop/fail/?order={oid}",
    }, request))


def landing(outcome):
    return lambda request: HttpResponse(
        f"<!DOCTYPE html><title>shop</title><h1 id='outcome'>{outcome}</h1>")


urlpatterns = [
    path("payple/", include("payple_hj3415.urls")),
    path("shop/checkout/", checkout),
    path("shop/success/", landing("success")),
    path("shop/fail/", landing("fail")),
]

call_command("migrate", verbosity=0)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


httpd = ThreadedWSGIServer(("127.0.0.1", shop_port), QuietHandler)
httpd.daemon_threads = True
httpd.set_app(get_wsgi_application())
threading.Thread(target=httpd.serve_forever, daemon=True).start()

# ---- the browser ---------------------------------------------------------------------

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

opts = webdriver.ChromeOptions()
opts.binary_location = os.environ["CHROMIUM"]
for arg in [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,760",
    f"--user-data-dir={os.path.join(work, 'profile')}",
    # Payple's and Google's names go to the front; no other name resolves at all.
    f"--host-resolver-rules=MAP democpay.payple.kr 127.0.0.1:{front_port},"
    f" MAP ajax.googleapis.com 127.0.0.1:{front_port}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    f"--ignore-certificate-errors-spki-list={os.environ['SPKI']}",
]:
    opts.add_argument(arg)
driver = webdriver.Chrome(service=Service(executable_path=os.environ["CHROMEDRIVER"]), options=opts)
driver.set_page_load_timeout(30)
wait = WebDriverWait(driver, 20)
WINDOW = "https://democpay.payple.kr/__mock/window/page/"


def last_log():
    return get_json(f"{mock}/__mock/log?n=1")["entries"][0]


def ledger():
    return get_json(f"{mock}/__mock/ledger")


def pay(oid, button):
    """The shop's checkout -> the app's start page -> the mock's window -> `button`;
    answers the shop page reached and the app's order."""
    driver.get(f"{shop}/shop/checkout/?oid={oid}")
    driver.find_element(By.ID, "pay").click()
    try:
        wait.until(EC.url_contains(WINDOW))
        wait.until(EC.element_to_be_clickable((By.ID, button)))
    except Exception:
        logs = driver.get_log("browser") if hasattr(driver, "get_log") else []
        sys.exit(f"the window did not open: at {driver.current_url}\n{driver.page_source[:800]}\n{logs}")
    payment = Payment.objects.get(oid__startswith=f"{oid}-")
    assert payment.status == "PENDING", payment.status
    summary = driver.find_element(By.ID, "summary").text
    assert payment.oid in summary and "15000" in summary, summary
    if os.environ.get("PAYPLE_DJANGO_SCREENSHOT") and button == "approve":
        driver.save_screenshot(os.environ["PAYPLE_DJANGO_SCREENSHOT"])
    driver.find_element(By.ID, button).click()
    wait.until(EC.url_contains(f"{shop}/shop/"))
    wait.until(EC.presence_of_element_located((By.ID, "outcome")))
    outcome = driver.find_element(By.ID, "outcome").text
    assert driver.current_url.endswith(f"?order={oid}"), driver.current_url
    payment.refresh_from_db()
    return outcome, payment


started = time.monotonic()
try:
    # Approve: the app confirms at the mock and lands on the success page, CONFIRMED.
    outcome, p = pay("order-ok", "approve")
    assert outcome == "success", (outcome, p.status)
    assert p.status == "CONFIRMED", p.status
    log = last_log()
    assert log["endpoint"] == "cpay.confirm_cert" and log["referer"] == shop, log
    assert log["response"]["PCD_PAY_OID"] == p.oid, log
    assert p.trade_num and p.trade_num == log["response"]["PCD_PAY_CARDTRADENUM"], (p.trade_num, log)
    assert p.receipt_url.startswith(mock), p.receipt_url
    paid = [x for x in ledger()["payments"] if x["order_id"] == p.oid]
    assert len(paid) == 1 and paid[0]["total"] == 15000 and paid[0]["state"] == "paid", paid
    served = {(h, path) for h, _, path, status in front_log if status == 200}
    assert ("democpay.payple.kr", "/js/v1/payment.js") in served, front_log
    assert ("ajax.googleapis.com", jquery_path) in served, front_log
    # Everything the pages asked of the two public names was served (the browser's own
    # favicon probe aside).
    assert all(status < 400 for _, _, path, status in front_log if path != "/favicon.ico"), front_log
    print(f"payple-hj3415 in Chromium: approved, order {p.oid} CONFIRMED, trade number {p.trade_num}")

    # Decline: the window posts an error result; the app sends the buyer to the fail page
    # without a confirmation (it leaves the order PENDING: it marks FAILED only when a
    # confirmation is refused).
    calls = len(get_json(f"{mock}/__mock/log?n=1000")["entries"])
    outcome, p = pay("order-declined", "decline")
    assert outcome == "fail", (outcome, p.status)
    assert p.status != "CONFIRMED", p.status
    entries = get_json(f"{mock}/__mock/log?n=1000")["entries"]
    assert not any(e["endpoint"] == "cpay.confirm_cert" for e in entries[calls:]), entries[calls:]
    assert not any(x["order_id"] == p.oid for x in ledger()["payments"])
    print(f"payple-hj3415 in Chromium: declined, order {p.oid} {p.status}, fail page")

    # A refused confirmation (the shop's custKey is wrong: SPAY0001): the fail page, FAILED.
    with override_settings(PAYPLE=dict(settings.PAYPLE, CUST_KEY="not-the-key")):
        outcome, p = pay("order-refused", "approve")
    assert outcome == "fail", (outcome, p.status)
    assert p.status == "FAILED", p.status
    log = last_log()
    assert log["endpoint"] == "cpay.confirm_cert" and log["result_code"] == "SPAY0001", log
    assert not any(x["order_id"] == p.oid for x in ledger()["payments"])
    assert any(c["order_id"] == p.oid and not c["confirmed"] for c in ledger()["cert_requests"])
    print(f"payple-hj3415 in Chromium: confirmation refused (SPAY0001), order {p.oid} FAILED, fail page")
finally:
    driver.quit()
    httpd.shutdown()
    front.shutdown()
print(f"browser part: {time.monotonic() - started:.1f} s")
PY
echo "django browser checks passed"
