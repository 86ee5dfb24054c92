//! cpay operations on the ledger: billing re-payment, result inquiry, cancel, billing-key
//! lookup and delete, cash receipts, links, card registration, CERT confirmation and the
//! payment window the admin route stands in for.

use crate::body::{
    best_sample, documented_value, example_value, fill, fits, fresh_value, is_result_field,
    mask_like, method_of, random_string, record_of, sample_value, success,
};
use crate::clock::kst_digits;
use crate::ledger::{BillingKey, Cert, Ledger, Link, Payment, Receipt, Record, Val, rec_set};
use crate::protocol::{Facts, names};
use crate::server::{Call, Reply, Shared, confirm_path, lock, refuse};
use payple_types::Role;
use payple_types::doc_sample::repair;
use payple_types::{Applies, EndpointSpec, Part, endpoint, endpoints, service};
use serde_json::Value;
use std::time::SystemTime;

fn ep(id: &str) -> Option<&'static EndpointSpec> {
    endpoint(id)
}

/// `YYYYMMDD` of `t`, Korean time.
pub(crate) fn kst_date(t: SystemTime) -> String {
    kst_digits(t)[..8].to_string()
}

fn amount(v: &str) -> Option<u64> {
    let v = v.trim();
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn text(s: impl Into<Box<str>>) -> Val {
    Val::Text(s.into())
}

/// A billing key's record: a registration-lookup answer for the method (card company and
/// masked number, or bank and masked account, payer name and phone), with the payer values
/// of `payer` and, for a card, the number `card_number` masked in the documented shape.
pub(crate) fn key_record(
    method: Applies,
    payer: &Value,
    card_number: Option<&str>,
    now: SystemTime,
) -> Record {
    let Some(lookup) = ep("cpay.registration_lookup") else {
        return Vec::new();
    };
    let mut body = success(lookup, method, payer, &[], now);
    // The masked card or account number, in the documented masked shape.
    let (field, digits) = match method {
        Applies::Card => (
            names::cpay(Role::CardNumber),
            card_number
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| random_string(b"0123456789", 16)),
        ),
        _ => (
            names::cpay(Role::AccountNumber),
            random_string(b"0123456789", 14),
        ),
    };
    if let (Some(f), Some(obj)) = (
        lookup.response.iter().find(|f| f.name == field),
        body.as_object_mut(),
    ) && let Some(tpl) = documented_value(lookup.service, f).filter(|t| t.contains('*'))
    {
        let masked = mask_like(&tpl, &digits);
        if fits(f, &masked) {
            obj.insert(field.into(), masked.into());
        }
    }
    let mut rec = record_of(lookup, &body, now);
    rec.retain(|(k, _)| *k != names::cpay(Role::PayWork));
    rec
}

/// Billing keys of the documentation's request samples: accepted for either method, so that
/// the documented requests work as they are.
pub(crate) fn seed(ledger: &mut Ledger, now: SystemTime) {
    for e in endpoints().iter().filter(|e| e.service == "cpay") {
        if !e
            .request
            .iter()
            .any(|f| f.name == names::cpay(Role::BillingKey))
        {
            continue;
        }
        for s in e.samples.iter().filter(|s| s.part == Part::Request) {
            let Ok(r) = repair(s.raw) else { continue };
            let Some(key) = r
                .value
                .get(names::cpay(Role::BillingKey))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let usable = key.len() >= 8 && key.chars().all(|c| c.is_ascii_alphanumeric());
            if !usable || ledger.billing_keys.contains(key) {
                continue;
            }
            let method = match method_of(e, &r.value) {
                Applies::Both => Applies::Transfer,
                m => m,
            };
            let mut fields = key_record(method, &Value::Null, None, now);
            rec_set(&mut fields, names::cpay(Role::BillingKey), text(key));
            ledger.billing_keys.insert(
                key,
                BillingKey {
                    method,
                    any_method: true,
                    deleted: false,
                    fields,
                },
            );
        }
    }
}

/// Adds fresh values for the volatile fields of `ep` that `body` lacks (trade numbers,
/// approval numbers): what Payple generates for a new payment.
fn add_generated(ep: &'static EndpointSpec, method: Applies, body: &mut Value, now: SystemTime) {
    let Some(obj) = body.as_object_mut() else {
        return;
    };
    for f in ep.response {
        if !f.volatile
            || f.sensitive
            || !f.applies.admits(method)
            || obj.contains_key(f.name)
            || !f.formats.is_empty()
            || is_result_field(ep, f.name)
            || f.name == names::cpay(Role::OrderId)
        {
            continue;
        }
        if best_sample(ep, method)
            .as_ref()
            .and_then(|s| s.get(f.name))
            .is_some()
            || documented_value(ep.service, f).is_some()
        {
            obj.insert(f.name.into(), fresh_value(ep, method, f.name, now).into());
        }
    }
}

/// Payple's yes / no flag values (`PCD_SIMPLE_FLAG`, `PCD_TAXSAVE_FLAG`, `PCD_TAXSAVE_RST`
/// ...); an answer uses one only where the field's documented values admit it.
const YES: &str = "Y";
const NO: &str = "N";

/// The cash receipt of a transfer payment (re-payment or window): with `PCD_TAXSAVE_FLAG`
/// `Y` (`flag`, as sent) Payple issues one for the amount paid (the flag echoed,
/// `PCD_TAXSAVE_RST` `Y`, a new receipt number, the receipt in the ledger); without, the
/// answer says none was requested (`N`). Card payments have none. `ep` is the endpoint whose
/// answer carries the fields.
fn payment_receipt(
    ep: &'static EndpointSpec,
    flag: &str,
    method: Applies,
    total: u64,
    now: SystemTime,
) -> (Option<Receipt>, Record) {
    if method != Applies::Transfer {
        return (None, Vec::new());
    }
    let documented = |role: Role, v: &str| {
        let name = names::response(ep, role);
        ep.response
            .iter()
            .find(|f| f.name == name)
            .is_some_and(|f| f.applies.admits(method) && fits(f, v))
            .then(|| (name, text(v)))
    };
    if flag != YES {
        let fields = documented(Role::ReceiptRequested, NO).into_iter().collect();
        return (None, fields);
    }
    let mgtnum = fresh_value(ep, method, names::cpay(Role::ReceiptNumber), now);
    let fields = [
        documented(Role::ReceiptRequested, YES),
        documented(Role::ReceiptResult, YES),
        documented(Role::ReceiptNumber, &mgtnum),
    ]
    .into_iter()
    .flatten()
    .collect();
    let receipt = Receipt {
        mgtnum: mgtnum.into(),
        amount: total,
    };
    (Some(receipt), fields)
}

/// Removes the receipt number and result from an answer: no receipt was issued (the
/// answer's sample may carry them).
fn drop_receipt(body: &mut Value) {
    if let Some(o) = body.as_object_mut() {
        o.remove(names::cpay(Role::ReceiptNumber));
        o.remove(names::cpay(Role::ReceiptResult));
    }
}

/// A new billing key in the shape of the documented ones.
fn new_billing_key(method: Applies, now: SystemTime) -> String {
    let id = ep("cpay.registration_lookup")
        .map(|l| fresh_value(l, method, names::cpay(Role::BillingKey), now))
        .unwrap_or_default();
    if id.len() < 16 {
        crate::body::random_string(crate::body::ALNUM, 32)
    } else {
        id
    }
}

impl Shared {
    /// The sales slip of a card payment: a page of this server (the documented examples
    /// are elided URLs of the card company's site).
    fn card_slip(&self, method: Applies, oid: &str) -> Record {
        if method != Applies::Card {
            return Vec::new();
        }
        vec![(
            names::cpay(Role::CardReceiptUrl),
            text(format!("{}/__mock/receipt/{oid}", self.cpay_base())),
        )]
    }

    /// The operation of a cpay follow-up call whose tokens were accepted.
    pub(crate) fn cpay_operation(&self, call: &Call<'_>) -> Reply {
        match call.ep.id {
            "cpay.billing_repay" => self.billing_repay(call),
            "cpay.result_inquiry" => self.result_inquiry(call),
            "cpay.cancel" => self.cancel(call),
            "cpay.registration_lookup" => self.registration_lookup(call, false),
            "cpay.registration_delete" => self.registration_lookup(call, true),
            "cpay.cash_receipt_issue" => self.receipt_issue(call),
            "cpay.cash_receipt_cancel" => self.receipt_cancel(call),
            "cpay.link_payment" => self.link(call),
            "cpay.card_registration" => self.card_registration(call),
            _ => (
                200,
                success(call.ep, call.method(), &call.request, &[], call.now),
            ),
        }
    }

    fn billing_repay(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let method = call.method();
        let facts = call.facts(method);
        if crate::protocol::applies(ep, "amount_below_minimum", &facts) {
            return refuse(ep, "amount_below_minimum", &facts);
        }
        let payer = call.get(names::cpay(Role::BillingKey)).to_string();
        let oid = call.get(names::cpay(Role::OrderId)).to_string();
        let mut l = lock(&self.ledger);
        let key = match l.billing_keys.get(&payer) {
            Some(k) if !k.deleted => k.clone(),
            _ => return refuse(ep, "billing_key_unknown", &facts),
        };
        if !key.any_method && key.method != method {
            return refuse(ep, "billing_key_method_mismatch", &facts);
        }
        if l.payments.contains(&oid) {
            return refuse(ep, "order_duplicate", &facts);
        }
        let sent = record_of(ep, &call.request, call.now);
        let slip = self.card_slip(method, call.get(names::cpay(Role::OrderId)));
        let total = amount(call.get(names::cpay(Role::Amount))).unwrap_or(0);
        let flag = call.get(names::request(ep, Role::ReceiptRequested));
        let (receipt, receipt_fields) = payment_receipt(ep, flag, method, total, call.now);
        let mut body = success(
            ep,
            method,
            &call.request,
            &[&key.fields, &sent, &slip, &receipt_fields],
            call.now,
        );
        add_generated(ep, method, &mut body, call.now);
        if receipt.is_none() {
            drop_receipt(&mut body);
        }
        l.payments.insert(
            &oid,
            Payment {
                method,
                payer_id: payer.into(),
                total,
                refunded: 0,
                date: kst_date(call.now).into(),
                receipt,
                fields: record_of(ep, &body, call.now),
            },
        );
        (200, body)
    }

    fn result_inquiry(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let l = lock(&self.ledger);
        let Some(p) = l.payments.get(call.get(names::cpay(Role::OrderId))) else {
            return refuse(ep, "order_unknown", &call.facts(call.method()));
        };
        let facts = call.facts(p.method);
        if call.get(names::cpay(Role::PaymentDate)) != &*p.date {
            return refuse(ep, "order_date_mismatch", &facts);
        }
        if call.method() != Applies::Both && call.method() != p.method {
            return refuse(ep, "order_method_mismatch", &facts);
        }
        (
            200,
            success(ep, p.method, &call.request, &[&p.fields], call.now),
        )
    }

    fn cancel(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let mut l = lock(&self.ledger);
        let Some(p) = l.payments.get_mut(call.get(names::cpay(Role::OrderId))) else {
            return refuse(ep, "order_unknown", &call.facts(call.method()));
        };
        let facts = Facts::new(p.method, &call.request);
        if call.get(names::cpay(Role::PaymentDate)) != &*p.date {
            return refuse(ep, "order_date_mismatch", &facts);
        }
        let want = amount(call.get(names::cpay(Role::RefundAmount))).unwrap_or(0);
        let remaining = p.total.saturating_sub(p.refunded);
        if remaining == 0 {
            return refuse(ep, "refund_already_full", &facts);
        }
        if want > remaining {
            return refuse(ep, "refund_exceeds_remaining", &facts);
        }
        p.refunded += want;
        // A full refund cancels the payment's cash receipt with it, and the answer says how
        // that went (the result and message of the old transfer refund sample; the mock
        // answers the spec's examples, the documented success "0000").
        let receipt_cancelled = p.refunded >= p.total && p.receipt.take().is_some();
        let mut refund: Record = vec![(names::cpay(Role::RefundTime), Val::Time(call.now))];
        if receipt_cancelled {
            for role in [Role::ReceiptResult, Role::ReceiptMessage] {
                let name = names::cpay(role);
                if let Some(v) = example_value(ep, &[name], call.now) {
                    refund.push((name, text(v)));
                }
            }
        }
        // A refund's PCD_TAXSAVE_RST is the result of the receipt's cancellation, not the
        // payment's receipt result.
        let paid: Record = p
            .fields
            .iter()
            .filter(|(k, _)| *k != names::cpay(Role::ReceiptResult))
            .cloned()
            .collect();
        let mut body = success(ep, p.method, &call.request, &[&paid, &refund], call.now);
        if let Some(obj) = body.as_object_mut() {
            obj.insert(
                names::cpay(Role::RefundAmount).into(),
                want.to_string().into(),
            );
        }
        (200, body)
    }

    fn registration_lookup(&self, call: &Call<'_>, delete: bool) -> Reply {
        let ep = call.ep;
        let mut l = lock(&self.ledger);
        let Some(k) = l
            .billing_keys
            .get_mut(call.get(names::cpay(Role::BillingKey)))
        else {
            return refuse(ep, "billing_key_unknown", &call.facts(Applies::Both));
        };
        if k.deleted {
            return refuse(ep, "billing_key_unknown", &call.facts(k.method));
        }
        if delete {
            k.deleted = true;
        }
        (
            200,
            success(ep, k.method, &call.request, &[&k.fields], call.now),
        )
    }

    fn receipt_issue(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let mut l = lock(&self.ledger);
        let Some(p) = l.payments.get_mut(call.get(names::cpay(Role::OrderId))) else {
            return refuse(ep, "order_unknown", &call.facts(Applies::Both));
        };
        let facts = Facts::new(p.method, &call.request);
        if &*p.payer_id != call.get(names::cpay(Role::BillingKey)) {
            return refuse(ep, "order_payer_mismatch", &facts);
        }
        if p.method == Applies::Card {
            return refuse(ep, "receipt_not_transfer", &facts);
        }
        if p.receipt.is_some() {
            return refuse(ep, "receipt_exists", &facts);
        }
        let want = amount(call.get(names::cpay(Role::ReceiptAmount))).unwrap_or(0);
        if want > p.total.saturating_sub(p.refunded) {
            return refuse(ep, "receipt_exceeds_amount", &facts);
        }
        let mgtnum = fresh_value(ep, p.method, names::cpay(Role::ReceiptNumber), call.now);
        p.receipt = Some(Receipt {
            mgtnum: mgtnum.clone().into(),
            amount: want,
        });
        let rec: Record = vec![
            (names::cpay(Role::ReceiptNumber), text(mgtnum)),
            (names::cpay(Role::ReceiptAmount), text(want.to_string())),
        ];
        let mut recs: Vec<&Record> = vec![&p.fields];
        recs.push(&rec);
        (200, success(ep, p.method, &call.request, &recs, call.now))
    }

    fn receipt_cancel(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let mut l = lock(&self.ledger);
        let Some(p) = l.payments.get_mut(call.get(names::cpay(Role::OrderId))) else {
            return refuse(ep, "order_unknown", &call.facts(Applies::Both));
        };
        let facts = Facts::new(p.method, &call.request);
        if &*p.payer_id != call.get(names::cpay(Role::BillingKey)) {
            return refuse(ep, "order_payer_mismatch", &facts);
        }
        let Some(r) = p.receipt.take() else {
            return refuse(ep, "receipt_unknown", &facts);
        };
        let rec: Record = vec![
            (names::cpay(Role::ReceiptNumber), text(r.mgtnum)),
            (names::cpay(Role::ReceiptAmount), text(r.amount.to_string())),
        ];
        (
            200,
            success(ep, p.method, &call.request, &[&p.fields, &rec], call.now),
        )
    }

    fn link(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let method = call.method();
        let key = fresh_value(ep, method, names::cpay(Role::LinkKey), call.now);
        let url = format!("{}/__mock/link/{key}", self.cpay_base());
        // A link without a memo: the official samples read PCD_LINK_MEMO, no value is
        // documented.
        let rec: Record = vec![
            (names::cpay(Role::LinkKey), text(key.as_str())),
            (names::cpay(Role::LinkUrl), text(url)),
            (names::cpay(Role::LinkMemo), text("")),
        ];
        let mut body = success(ep, method, &call.request, &[&rec], call.now);
        // Links carry the documented optional fields too (memo, expiry) where the request
        // did not set them.
        let sample = best_sample(ep, method);
        if let Some(b) = body.as_object_mut() {
            let skip = |name: &str| is_result_field(ep, name);
            fill(
                ep.service,
                ep.response,
                b,
                sample.as_ref().and_then(Value::as_object),
                &[],
                &Value::Null,
                method,
                call.now,
                &skip,
            );
        }
        lock(&self.ledger).links.insert(
            &key,
            Link {
                fields: record_of(ep, &body, call.now),
            },
        );
        (200, body)
    }

    fn card_registration(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let payer_id = new_billing_key(Applies::Card, call.now);
        let mut fields = key_record(
            Applies::Card,
            &call.request,
            Some(call.get(names::cpay(Role::CardNumber))),
            call.now,
        );
        rec_set(
            &mut fields,
            names::cpay(Role::BillingKey),
            text(payer_id.as_str()),
        );
        let body = success(ep, Applies::Card, &call.request, &[&fields], call.now);
        lock(&self.ledger).billing_keys.insert(
            &payer_id,
            BillingKey {
                method: Applies::Card,
                any_method: false,
                deleted: false,
                fields,
            },
        );
        (200, body)
    }

    /// POST to PCD_PAY_COFURL: the final approval of a CERT window payment.
    pub(crate) fn confirm_cert(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let method = call.method();
        if !call.errors.is_empty() {
            return crate::server::refuse_invalid(call, method);
        }
        let mut l = lock(&self.ledger);
        let Some(cert) = l
            .certs
            .get(call.get(names::cpay(Role::RequestKey)))
            .cloned()
        else {
            return refuse(ep, "cert_request_unknown", &call.facts(method));
        };
        let facts = call.facts(cert.method);
        // The partner's own cst_id / custKey, or the tokens of an auth answer.
        let creds = service("cpay").map(|s| s.test_credentials).unwrap_or(&[]);
        let own = |name: &str| creds.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let raw_ok = Some(call.get(names::request(call.ep, Role::PartnerId)))
            == own(names::cpay(Role::PartnerId))
            && Some(call.get(names::request(call.ep, Role::PartnerKey)))
                == own(names::cpay(Role::PartnerKey));
        let token_ok = l.grants.iter().any(|(_, g)| {
            &*g.cst_token == call.get(names::request(call.ep, Role::PartnerId))
                && &*g.key_token == call.get(names::request(call.ep, Role::PartnerKey))
        });
        // Refusals of a known request name its order, so that the partner can mark it.
        let naming = |reply: Reply| -> Reply {
            let (status, mut body) = reply;
            if let Some(o) = body.as_object_mut() {
                for (name, v) in [
                    (names::cpay(Role::OrderId), cert.oid.to_string()),
                    (
                        names::cpay(Role::RequestKey),
                        call.get(names::cpay(Role::RequestKey)).to_string(),
                    ),
                ] {
                    if ep.response.iter().any(|f| f.name == name) {
                        o.insert(name.into(), v.into());
                    }
                }
            }
            (status, body)
        };
        if !(raw_ok || token_ok)
            || &*cert.auth_key != call.get(names::request(call.ep, Role::AuthKey))
        {
            return naming(refuse(ep, "auth_token_mismatch", &facts));
        }
        if cert.confirmed {
            return naming(refuse(ep, "cert_already_confirmed", &facts));
        }
        let mut payment = cert.payment.clone();
        payment.date = kst_date(call.now).into();
        for (_, v) in payment.fields.iter_mut() {
            if matches!(v, Val::Time(_)) {
                *v = Val::Time(call.now);
            }
        }
        // Payple's key of the transaction, in the form of the spec's example (no sample shows
        // one), kept with the payment.
        let tx_key = names::cpay(Role::TransactionKey);
        if !payment.fields.iter().any(|(k, _)| *k == tx_key)
            && let Some(k) = example_value(ep, &[tx_key], call.now)
        {
            payment.fields.push((tx_key, text(k)));
        }
        let total = payment.total.to_string();
        let amounts: Record = vec![
            (names::cpay(Role::GoodsAmount), text(total.as_str())),
            (names::cpay(Role::DiscountAmount), text("0")),
            (names::cpay(Role::PaidAmount), text(total.as_str())),
        ];
        let body = success(
            ep,
            cert.method,
            &call.request,
            &[&payment.fields, &amounts],
            call.now,
        );
        l.payments.insert(&cert.oid, payment);
        if let Some(c) = l.certs.get_mut(call.get(names::cpay(Role::RequestKey))) {
            c.confirmed = true;
        }
        (200, body)
    }

    /// Stands in for the payment window (admin route `POST /__mock/window` on cpay): runs
    /// `PCD_PAY_WORK` `AUTH` (register a billing key), `PAY` (register and pay) or `CERT`
    /// (register and prepare; the partner confirms at `PCD_PAY_COFURL`), and answers the body
    /// the window posts to the partner (cpay.result_callback).
    pub(crate) fn cpay_window(&self, request: &Value) -> Result<Value, String> {
        let now = self.clock.now();
        let cb = ep("cpay.result_callback").ok_or("the spec has no cpay.result_callback")?;
        let window = ep("cpay.payment_window").ok_or("the spec has no cpay.payment_window")?;
        let get = |n: &str| request.get(n).and_then(Value::as_str).unwrap_or("");
        let method = match method_of(window, request) {
            Applies::Both => Applies::Card,
            m => m,
        };
        let works = window
            .request
            .iter()
            .find(|f| f.name == names::cpay(Role::PayWork))
            .map(|f| f.values)
            .unwrap_or(&[]);
        let work = if get(names::cpay(Role::PayWork)).is_empty() {
            // The documented default when none is given: the last listed (CERT before PAY
            // in the docs' order is not guaranteed, so take CERT by name when listed).
            works
                .iter()
                .find(|w| w.eq_ignore_ascii_case("cert"))
                .copied()
                .unwrap_or("PAY")
        } else {
            get(names::cpay(Role::PayWork))
        };
        if !works.is_empty() && !works.contains(&work) {
            return Err(format!(
                "{} must be one of {works:?}",
                names::cpay(Role::PayWork)
            ));
        }
        let mut l = lock(&self.ledger);
        // The billing key: the given one, or a new one.
        let payer_id = match get(names::cpay(Role::BillingKey)) {
            "" => {
                let id = new_billing_key(method, now);
                let mut fields = key_record(method, request, None, now);
                rec_set(
                    &mut fields,
                    names::cpay(Role::BillingKey),
                    text(id.as_str()),
                );
                l.billing_keys.insert(
                    &id,
                    BillingKey {
                        method,
                        any_method: false,
                        deleted: false,
                        fields,
                    },
                );
                id
            }
            given => match l.billing_keys.get(given) {
                Some(k) if !k.deleted => given.to_string(),
                _ => {
                    return Err(format!(
                        "{} is not a registered billing key",
                        names::cpay(Role::BillingKey)
                    ));
                }
            },
        };
        let key = l
            .billing_keys
            .get(&payer_id)
            .cloned()
            .ok_or("the billing key was evicted")?;
        let mut req = request.clone();
        if let Some(o) = req.as_object_mut() {
            o.insert(
                names::cpay(Role::BillingKey).into(),
                payer_id.clone().into(),
            );
            o.insert(names::cpay(Role::PayWork).into(), work.into());
            o.insert(
                names::cpay(Role::PaymentMethod).into(),
                if method == Applies::Card {
                    Applies::Card.as_str().into()
                } else {
                    Applies::Transfer.as_str().into()
                },
            );
        }
        let oid = match get(names::cpay(Role::OrderId)) {
            "" => fresh_value(cb, method, names::cpay(Role::OrderId), now),
            o => o.to_string(),
        };
        if work != "AUTH" && (l.payments.contains(&oid) || l.certs.contains(&oid)) {
            return Err(format!("the order {oid} exists already"));
        }
        let mut extra: Record = vec![(names::cpay(Role::OrderId), text(oid.as_str()))];
        if work != "AUTH" {
            extra.push((names::cpay(Role::PaymentTime), Val::Time(now)));
            for f in cb.response.iter().filter(|f| {
                f.name == names::cpay(Role::Amount) || f.name == names::cpay(Role::GoodsName)
            }) {
                if get(f.name).is_empty()
                    && let Some(v) = sample_value(cb, method, f.name, now).or_else(|| {
                        ep("cpay.result_inquiry")
                            .and_then(|inq| sample_value(inq, method, f.name, now))
                    })
                {
                    extra.push((f.name, text(v)));
                }
            }
        }
        extra.extend(self.card_slip(method, &oid));
        // A payment made in the window carries Payple's transaction key at once (a CERT
        // payment gets it at its confirmation), in the form of the spec's example.
        let tx_key = names::cpay(Role::TransactionKey);
        if work == "PAY"
            && let Some(k) = example_value(cb, &[tx_key], now)
        {
            extra.push((tx_key, text(k)));
        }
        // A transfer payment's cash receipt, as with a re-payment (none for AUTH).
        let flag = match work {
            "AUTH" => "",
            _ => get(names::cpay(Role::ReceiptRequested)),
        };
        let sent_total = amount(get(names::cpay(Role::Amount))).unwrap_or(0);
        let (mut receipt, receipt_fields) = payment_receipt(cb, flag, method, sent_total, now);
        let mut body = success(
            cb,
            method,
            &req,
            &[&key.fields, &extra, &receipt_fields],
            now,
        );
        add_generated(cb, method, &mut body, now);
        if receipt.is_none() {
            drop_receipt(&mut body);
        }
        let total = body
            .get(names::cpay(Role::Amount))
            .and_then(Value::as_str)
            .and_then(amount)
            .unwrap_or(0);
        if let Some(r) = receipt.as_mut() {
            r.amount = total;
        }
        let payment = Payment {
            method,
            payer_id: payer_id.clone().into(),
            total,
            refunded: 0,
            date: kst_date(now).into(),
            receipt,
            fields: record_of(cb, &body, now),
        };
        match work {
            "PAY" => l.payments.insert(&oid, payment),
            "AUTH" => {}
            _ => {
                let reqkey = fresh_value(cb, method, names::cpay(Role::RequestKey), now);
                let reqkey = if reqkey.len() < 8 {
                    crate::body::random_string(crate::body::ALNUM, 30)
                } else {
                    reqkey
                };
                let auth_key = crate::body::random_string(crate::body::HEX, 64);
                let cofurl = format!("{}{}", self.cpay_base(), confirm_path(method));
                if let Some(o) = body.as_object_mut() {
                    o.insert(names::cpay(Role::RequestKey).into(), reqkey.clone().into());
                    o.insert(
                        names::response(cb, Role::AuthKey).into(),
                        auth_key.clone().into(),
                    );
                    o.insert(names::cpay(Role::ConfirmUrl).into(), cofurl.into());
                    // Nothing is charged (nor a receipt issued) before the confirmation;
                    // the payment kept for it has them.
                    o.remove(names::cpay(Role::PaymentTime));
                    o.remove(names::cpay(Role::ReceiptNumber));
                    o.remove(names::cpay(Role::ReceiptResult));
                }
                l.certs.insert(
                    &reqkey,
                    Cert {
                        auth_key: auth_key.into(),
                        method,
                        confirmed: false,
                        payment,
                        oid: oid.clone().into(),
                    },
                );
            }
        }
        if work == "AUTH"
            && let Some(o) = body.as_object_mut()
        {
            o.remove(names::cpay(Role::OrderId));
        }
        drop(l);
        // The window posts its result to the partner's PCD_RST_URL as form fields.
        self.notify(cb.id, get(names::cpay(Role::ResultUrl)), body.clone(), true);
        Ok(body)
    }
}
