#!/usr/bin/env bash
# A real third-party Payple client against the local mock: the Django app payple-hj3415
# (PyPI, pinned in scripts/django-common.sh) in a throwaway venv, driven with Django's test
# client. The mock stands in for the payment window (POST /__mock/window); the app's result
# view receives the window result, its confirm view calls the mock's CERT confirmation, and
# the order must end CONFIRMED with the mock's trade number; a refused confirmation must end
# FAILED. Run by .ci/run; needs python3 (with venv) and PyPI.
# scripts/check-django-browser.sh runs the same app in a real browser, with the mock's window.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/django-common.sh
source scripts/django-common.sh
# shellcheck disable=SC2119 # no extra requirements
django_venv
start_mock

cd "$work"
MOCK_CPAY="$cpay" "$venv/bin/python" - <<'PY'
import json, os, sys, urllib.request
import builtins, re

# The client prints the window result it receives; its tokens (the mock's) are never shown.
_print = builtins.print
_TOKEN = re.compile(r"('PCD_(?:AUTH_KEY|CST_ID|CUST_KEY|PAYER_ID)': ')[^']*'")
builtins.print = lambda *a, **k: _print(*(_TOKEN.sub(r"\1<redacted>'", str(x)) for x in a), **k)

import django
from django.conf import settings

mock = os.environ["MOCK_CPAY"]
settings.configure(
    DEBUG=False,
    SECRET_KEY="payple-spec-ci",
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "payple_hj3415",
    ],
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    USE_TZ=True,
    PAYPLE={
        "ENV": "test",
        "CST_ID": "test",
        "CUST_KEY": "abcd1234567890",
        "CLIENT_KEY": "test_DF55F29DA654A8CBC0F0A9DD4B556486",
        "REFERER": "http://testserver",
    },
    PAYPLE_API_BASE=mock,
)
django.setup()

from django.urls import include, path

urlpatterns = [path("payple/", include("payple_hj3415.urls"))]

from django.core.management import call_command
from django.test import Client
from payple_hj3415 import services
from payple_hj3415.models import Payment

call_command("migrate", verbosity=0)


def post_json(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=10))


def get_json(url):
    return json.load(urllib.request.urlopen(url, timeout=10))


def checkout(client, oid):
    """The app's start page: a PENDING order with a unique order number in the session."""
    token = services.make_start_token(oid, 15000, "payple-spec CI order",
                                      "http://shop.test/success", "http://shop.test/fail")
    r = client.get(f"/payple/start/?t={token}")
    assert r.status_code == 200, r.status_code
    pay = Payment.objects.get(oid=client.session["PAYPLE_OID"])
    assert pay.status == "PENDING"
    return pay


def window_then_result(client, pay, reqkey=None):
    """The mock stands in for the window; the window result goes to the app's result view,
    then the app's confirm view calls the confirm URL."""
    w = post_json(f"{mock}/__mock/window", {
        "PCD_PAY_TYPE": "card", "PCD_PAY_WORK": "CERT", "PCD_CARD_VER": "02",
        "PCD_PAY_OID": pay.oid, "PCD_PAY_GOODS": pay.goods, "PCD_PAY_TOTAL": str(pay.amount),
    })
    assert w["PCD_PAY_RST"] == "success", w
    assert w["PCD_PAY_COFURL"].startswith(mock), w
    if reqkey:
        w["PCD_PAY_REQKEY"] = reqkey
    r = client.post("/payple/result/", data=w)  # form-encoded, as the window posts it
    assert r.status_code == 302 and r.url.endswith("/payple/confirm"), (r.status_code, r.get("Location"))
    return client.get(r.url)


# Success: CONFIRMED with the mock's trade number.
client = Client()
pay = checkout(client, "order-ok")
r = window_then_result(client, pay)
assert r.status_code == 302 and r.url == "http://shop.test/success", (r.status_code, r.content[:300])
pay.refresh_from_db()
assert pay.status == "CONFIRMED", pay.status
log = get_json(f"{mock}/__mock/log?n=1")["entries"][0]
assert log["endpoint"] == "cpay.confirm_cert", log
assert log["response"]["PCD_PAY_OID"] == pay.oid, log
assert pay.trade_num and pay.trade_num == log["response"]["PCD_PAY_CARDTRADENUM"], (pay.trade_num, log)
assert pay.auth_no and pay.receipt_url.startswith(mock), (pay.auth_no, pay.receipt_url)
ledger = get_json(f"{mock}/__mock/ledger")
assert any(p["order_id"] == pay.oid for p in ledger["payments"]), ledger
print(f"payple-hj3415: order {pay.oid} CONFIRMED, trade number {pay.trade_num}")

# Failure: the confirmation is refused (the partner's key is wrong: SPAY0001); the refusal
# names the order, and the app marks it FAILED.
from django.test import override_settings

client = Client()
bad = checkout(client, "order-bad")
wrong = dict(settings.PAYPLE, CUST_KEY="not-the-key")
with override_settings(PAYPLE=wrong):
    r = window_then_result(client, bad)
bad.refresh_from_db()
assert r.status_code == 302 and r.url == "http://shop.test/fail", (r.status_code, r.content[:300])
assert bad.status == "FAILED", bad.status
log = get_json(f"{mock}/__mock/log?n=1")["entries"][0]
assert log["result_code"] == "SPAY0001", log
print(f"payple-hj3415: order {bad.oid} FAILED ({log['result_code']})")

# An unknown request key (a window the mock never opened) is refused with CBIL0003; the
# order is not confirmed.
client = Client()
other = checkout(client, "order-unknown")
r = window_then_result(client, other, reqkey="NoSuchRequestKey000000000000")
other.refresh_from_db()
assert other.status != "CONFIRMED", other.status
assert get_json(f"{mock}/__mock/log?n=1")["entries"][0]["result_code"] == "CBIL0003"
PY
echo "django client checks passed"
