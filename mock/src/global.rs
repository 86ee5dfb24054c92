//! global operations on the ledger: billing-key payments, cancels and the result inquiry,
//! and the payment window the admin route stands in for.

use crate::body::{
    best_sample, example_value, fill, fresh_value, masked_value, random_string, record_of,
};
use crate::hub::full_success;
use crate::ledger::{GlobalPayment, Ledger, Record, Val, rec_set, rec_text};
use crate::protocol::names;
use crate::server::{Call, Reply, Shared, lock, refuse};
use payple_types::Role;
use payple_types::doc_sample::repair;
use payple_types::{Applies, EndpointSpec, FieldShape, Part, endpoint, service};
use serde_json::{Map, Value};
use std::time::SystemTime;

const BOTH: Applies = Applies::Both;

fn text(s: impl Into<Box<str>>) -> Val {
    Val::Text(s.into())
}

/// `1.00` -> 100 (hundredths); `None` for anything else.
fn cents(v: &str) -> Option<u64> {
    let v = v.trim();
    let (units, frac) = v.split_once('.').unwrap_or((v, ""));
    if units.is_empty()
        || !units.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let u: u64 = units.parse().ok()?;
    let f: u64 = format!("{frac:0<2}").parse().ok()?;
    u.checked_mul(100)?.checked_add(f)
}

/// The card behind a new billing key, as the window's result shows it: the number masked
/// and the payment method, in the forms of the spec's examples (no sample shows them; the
/// spec marks the forms as our inference).
fn card_record(now: SystemTime) -> Record {
    let Some(ep) = endpoint("global.payment_window_result") else {
        return Vec::new();
    };
    let mut rec = Vec::new();
    let number = random_string(b"0123456789", 16);
    let card = names::global(Role::CardNumber);
    if let Some(masked) = masked_value(ep, &[card], &number) {
        rec.push((card, text(masked)));
    }
    let method = names::global(Role::PaymentMethod);
    if let Some(m) = example_value(ep, &[method], now) {
        rec.push((method, text(m)));
    }
    rec
}

/// What an answer of `ep` says of itself: its kind (payment or cancel) and when it was
/// processed, in Korean time and in UTC (top level or in `info`), in the forms of the spec's
/// examples.
fn processed(ep: &'static EndpointSpec, now: SystemTime) -> Record {
    let info = names::global(Role::CardInfo);
    let mut rec = Vec::new();
    for role in [Role::RequestKind, Role::PaymentTime, Role::PaymentTimeUtc] {
        let name = names::global(role);
        if let Some(v) =
            example_value(ep, &[name], now).or_else(|| example_value(ep, &[info, name], now))
        {
            rec.push((name, text(v)));
        }
    }
    rec
}

/// Billing keys of the documentation's billing-key payment requests.
pub(crate) fn seed(ledger: &mut Ledger, now: SystemTime) {
    let Some(ep) = endpoint("global.billing_key_payment") else {
        return;
    };
    for s in ep.samples.iter().filter(|s| s.part == Part::Request) {
        let Ok(r) = repair(s.raw) else { continue };
        if let Some(key) = r
            .value
            .get(names::global(Role::BillingKey))
            .and_then(Value::as_str)
            && key.len() >= 8
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c))
        {
            let mut rec = vec![(names::global(Role::BillingKey), text(key))];
            rec.extend(card_record(now));
            ledger.global_keys.insert(key, rec);
        }
    }
}

/// The answer with its nested `info` object filled from the records.
fn with_info(
    ep: &'static EndpointSpec,
    request: &Value,
    records: &[&Record],
    now: SystemTime,
) -> Value {
    let mut body = full_success(ep, BOTH, request, records, now);
    let Some(inner) = ep.response.iter().find_map(|f| match f.shape {
        FieldShape::Object(inner) if f.name == names::global(Role::CardInfo) => Some(inner),
        _ => None,
    }) else {
        return body;
    };
    let sample = best_sample(ep, BOTH);
    let sample_info = sample
        .as_ref()
        .and_then(|s| s.get(names::global(Role::CardInfo))?.as_object().cloned());
    let mut info = Map::new();
    let no_skip = |_: &str| false;
    fill(
        ep.service,
        inner,
        &mut info,
        sample_info.as_ref(),
        records,
        request,
        BOTH,
        now,
        &no_skip,
    );
    fill(
        ep.service,
        inner,
        &mut info,
        sample_info.as_ref(),
        &[],
        &Value::Null,
        BOTH,
        now,
        &no_skip,
    );
    if let Some(b) = body.as_object_mut() {
        b.insert(names::global(Role::CardInfo).into(), Value::Object(info));
    }
    body
}

impl Shared {
    /// The global webhook of a payment (`PAYMENT`) or cancel (`CANCEL`) result.
    fn global_webhook(&self, kind: &str, fields: &Record, now: SystemTime) {
        let Some(url) = lock(&self.global_webhook).clone() else {
            return;
        };
        let Some(hook) = endpoint("global.webhook") else {
            return;
        };
        let kinds = hook
            .response
            .iter()
            .find(|f| f.name == names::global(Role::RequestKind))
            .map_or(&[][..], |f| f.values);
        let mut rec = fields.clone();
        if let Some(k) = kinds.iter().find(|k| **k == kind) {
            rec_set(&mut rec, names::global(Role::RequestKind), text(*k));
        }
        let body = full_success(hook, BOTH, &Value::Null, &[&rec], now);
        self.notify(hook.id, &url, body, false);
    }

    pub(crate) fn global_operation(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let facts = call.facts(BOTH);
        // Calls name the account the token was issued to.
        let own = service("global")
            .and_then(|s| {
                s.test_credentials
                    .iter()
                    .find(|(n, _)| *n == names::global(Role::PartnerId))
            })
            .map(|(_, v)| *v);
        if ep
            .request
            .iter()
            .any(|f| f.name == names::global(Role::PartnerId))
            && own.is_some_and(|o| o != call.get(names::global(Role::PartnerId)))
        {
            return refuse(ep, "token_service_mismatch", &facts);
        }
        match ep.id {
            "global.billing_key_payment" => self.global_pay(call),
            "global.cancel" => self.global_cancel(call),
            "global.result_inquiry" => self.global_result(call),
            _ => (200, full_success(ep, BOTH, &call.request, &[], call.now)),
        }
    }

    fn global_pay(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let facts = call.facts(BOTH);
        let mut l = lock(&self.ledger);
        let Some(key) = l
            .global_keys
            .get(call.get(names::global(Role::BillingKey)))
            .cloned()
        else {
            return refuse(ep, "billing_key_unknown", &facts);
        };
        let oid = match call.get(names::global(Role::OrderId)) {
            "" => fresh_value(ep, BOTH, names::global(Role::OrderId), call.now),
            o => o.to_string(),
        };
        if l.global_payments.contains(&oid) {
            return refuse(ep, "order_duplicate", &facts);
        }
        let pay_id = fresh_value(ep, BOTH, names::global(Role::ApiId), call.now);
        let mut rec: Record = key.clone();
        rec_set(&mut rec, names::global(Role::OrderId), text(oid.as_str()));
        rec_set(&mut rec, names::global(Role::ApiId), text(pay_id.as_str()));
        for (name, v) in processed(ep, call.now) {
            rec_set(&mut rec, name, v);
        }
        let body = with_info(ep, &call.request, &[&rec], call.now);
        let mut fields = record_of(ep, &body, call.now);
        if let Some(info) = body
            .get(names::global(Role::CardInfo))
            .and_then(Value::as_object)
        {
            for (k, v) in info {
                if let (Some(f), Some(s)) = (
                    ep.response.iter().find_map(|f| match f.shape {
                        FieldShape::Object(inner) => inner.iter().find(|i| i.name == k),
                        _ => None,
                    }),
                    v.as_str(),
                ) {
                    rec_set(&mut fields, f.name, text(s));
                }
            }
        }
        self.global_webhook("PAYMENT", &fields, call.now);
        l.global_payments.insert(
            &oid,
            GlobalPayment {
                pay_id: pay_id.into(),
                cents: cents(call.get(names::global(Role::Amount))).unwrap_or(0),
                cancelled_cents: 0,
                currency: call.get(names::global(Role::Currency)).into(),
                fields,
            },
        );
        (200, body)
    }

    fn global_cancel(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let facts = call.facts(BOTH);
        let mut l = lock(&self.ledger);
        let Some(p) = l
            .global_payments
            .get_mut(call.get(names::global(Role::OrderId)))
            .filter(|p| &*p.pay_id == call.get(names::global(Role::PaymentId)))
        else {
            return refuse(ep, "order_unknown", &facts);
        };
        let want = cents(call.get(names::global(Role::Amount))).unwrap_or(u64::MAX);
        if &*p.currency != call.get(names::global(Role::Currency))
            || want > p.cents.saturating_sub(p.cancelled_cents)
        {
            return refuse(ep, "refund_exceeds_remaining", &facts);
        }
        p.cancelled_cents += want;
        let fields = p.fields.clone();
        drop(l);
        // The cancel's own kind, time and amount over the payment's fields.
        let mut cancel = processed(ep, call.now);
        cancel.push((
            names::global(Role::Amount),
            text(call.get(names::global(Role::Amount))),
        ));
        let mut cancelled = fields.clone();
        for (name, v) in cancel.iter().cloned() {
            rec_set(&mut cancelled, name, v);
        }
        self.global_webhook("CANCEL", &cancelled, call.now);
        (
            200,
            with_info(ep, &call.request, &[&fields, &cancel], call.now),
        )
    }

    fn global_result(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        // The request fields are not documented; clients send service_oid or pay_id.
        let oid = call.get(names::global(Role::OrderId));
        let pay_id = call.get(names::global(Role::PaymentId));
        if oid.is_empty() && pay_id.is_empty() {
            return (200, full_success(ep, BOTH, &call.request, &[], call.now));
        }
        let l = lock(&self.ledger);
        let found = l.global_payments.iter().find(|(k, p)| {
            (!oid.is_empty() && *k == oid) || (!pay_id.is_empty() && &*p.pay_id == pay_id)
        });
        match found {
            Some((_, p)) => (
                200,
                full_success(ep, BOTH, &call.request, &[&p.fields], call.now),
            ),
            None => refuse(ep, "order_unknown", &call.facts(BOTH)),
        }
    }

    /// Stands in for the global payment window (admin route `POST /__mock/window` on
    /// global): a card payment that issues a billing key; answers the window's result
    /// (global.payment_window_result).
    pub(crate) fn global_window(&self, request: &Value) -> Result<Value, String> {
        let now = self.clock.now();
        let ep = endpoint("global.payment_window_result")
            .ok_or("the spec has no global.payment_window_result")?;
        let key = fresh_value(ep, BOTH, names::global(Role::BillingKey), now);
        let key = if key.len() < 8 {
            crate::body::random_string(crate::body::ALNUM, 32)
        } else {
            key
        };
        let get = |n: &str| request.get(n).and_then(Value::as_str).unwrap_or("");
        let oid = match get(names::global(Role::OrderId)) {
            "" => fresh_value(ep, BOTH, names::global(Role::OrderId), now),
            o => o.to_string(),
        };
        let pay_id = fresh_value(ep, BOTH, names::global(Role::ApiId), now);
        let mut card: Record = vec![(names::global(Role::BillingKey), text(key.as_str()))];
        card.extend(card_record(now));
        let mut rec: Record = card.clone();
        rec.push((names::global(Role::OrderId), text(oid.as_str())));
        rec.push((names::global(Role::ApiId), text(pay_id.as_str())));
        rec.extend(processed(ep, now));
        let body = full_success(ep, BOTH, request, &[&rec], now);
        let fields = record_of(ep, &body, now);
        let mut l = lock(&self.ledger);
        if l.global_payments.contains(&oid) {
            return Err(format!("the order {oid} exists already"));
        }
        l.global_keys.insert(&key, card);
        let amount = body
            .get(names::global(Role::Amount))
            .and_then(Value::as_str)
            .and_then(cents)
            .unwrap_or(0);
        let currency = rec_text(&fields, names::global(Role::Currency))
            .unwrap_or("")
            .to_string();
        self.global_webhook("PAYMENT", &fields, now);
        l.global_payments.insert(
            &oid,
            GlobalPayment {
                pay_id: pay_id.into(),
                cents: amount,
                cancelled_cents: 0,
                currency: currency.into(),
                fields,
            },
        );
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_amounts() {
        assert_eq!(cents("1.00"), Some(100));
        assert_eq!(cents("12.5"), Some(1250));
        assert_eq!(cents("3"), Some(300));
        assert_eq!(cents("1.234"), None);
        assert_eq!(cents("-1"), None);
        assert_eq!(cents(""), None);
    }
}
