//! The order ledger behind the answers: payments, billing keys, CERT requests, links, hub
//! accounts and payouts, global billing keys and payments, and the tokens issued. Every
//! collection is capped; beyond its cap the oldest entry is evicted first, and the first
//! eviction of a collection prints one warning line on stderr.

use payple_types::Applies;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, VecDeque};
use std::time::SystemTime;

/// A value of a ledger record: text, or a moment rendered in the format of the field that
/// shows it (so that one payment time reads `20250615143000` in one answer and
/// `2025-06-15 14:30:00` in another, as the spec documents).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Text(Box<str>),
    Time(SystemTime),
}

/// Documented response fields of an entry: (field name from the spec tables, value).
pub(crate) type Record = Vec<(&'static str, Val)>;

pub(crate) fn rec_get<'a>(r: &'a Record, name: &str) -> Option<&'a Val> {
    r.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
}

pub(crate) fn rec_text<'a>(r: &'a Record, name: &str) -> Option<&'a str> {
    match rec_get(r, name)? {
        Val::Text(t) => Some(t),
        Val::Time(_) => None,
    }
}

pub(crate) fn rec_set(r: &mut Record, name: &'static str, v: Val) {
    match r.iter_mut().find(|(k, _)| *k == name) {
        Some(slot) => slot.1 = v,
        None => r.push((name, v)),
    }
}

/// A map capped at `cap` entries, evicting the oldest insertion first.
#[derive(Debug)]
pub(crate) struct Capped<V> {
    map: HashMap<Box<str>, V>,
    order: VecDeque<Box<str>>,
    cap: usize,
    /// Entries evicted so far.
    pub evicted: u64,
    name: &'static str,
}

impl<V> Capped<V> {
    pub(crate) fn new(name: &'static str, cap: usize) -> Capped<V> {
        Capped {
            map: HashMap::new(),
            order: VecDeque::new(),
            cap: cap.max(1),
            evicted: 0,
            name,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    pub(crate) fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Inserts or replaces; evicts the oldest entries beyond the cap.
    pub(crate) fn insert(&mut self, key: &str, v: V) {
        if let Some(slot) = self.map.get_mut(key) {
            *slot = v;
            return;
        }
        let key: Box<str> = key.into();
        self.order.push_back(key.clone());
        self.map.insert(key, v);
        while self.map.len() > self.cap {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if self.map.remove(&old).is_some() {
                if self.evicted == 0 {
                    eprintln!(
                        "payple-mock: warning: the {} ledger reached its cap of {} entries; evicting the oldest first from now on",
                        self.name, self.cap
                    );
                }
                self.evicted += 1;
            }
        }
    }

    /// Removes one entry.
    #[cfg(test)]
    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let v = self.map.remove(key)?;
        if let Some(i) = self.order.iter().position(|k| &**k == key) {
            self.order.remove(i);
        }
        Some(v)
    }

    /// Entries, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.order
            .iter()
            .filter_map(|k| self.map.get(k).map(|v| (&**k, v)))
    }

    /// Entries matching `f`, oldest first.
    pub(crate) fn values_where<'a>(
        &'a self,
        f: impl Fn(&V) -> bool + 'a,
    ) -> impl Iterator<Item = &'a V> + 'a {
        self.iter().map(|(_, v)| v).filter(move |v| f(v))
    }

    /// Changes every entry.
    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut V)) {
        for v in self.map.values_mut() {
            f(v);
        }
    }
}

/// A cash receipt of a transfer payment.
#[derive(Debug, Clone)]
pub(crate) struct Receipt {
    pub mgtnum: Box<str>,
    pub amount: u64,
}

/// A cpay payment (billing re-payment, confirmed CERT payment, window payment).
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub method: Applies,
    pub payer_id: Box<str>,
    pub total: u64,
    pub refunded: u64,
    /// The day it was paid, Korean time, `YYYYMMDD`.
    pub date: Box<str>,
    pub receipt: Option<Receipt>,
    /// Documented answer fields of the payment.
    pub fields: Record,
}

/// A cpay billing key (PCD_PAYER_ID).
#[derive(Debug, Clone)]
pub(crate) struct BillingKey {
    pub method: Applies,
    /// Keys of the documentation's samples serve both methods.
    pub any_method: bool,
    pub deleted: bool,
    pub fields: Record,
}

/// A CERT payment waiting for its confirmation.
#[derive(Debug, Clone)]
pub(crate) struct Cert {
    pub auth_key: Box<str>,
    pub method: Applies,
    pub confirmed: bool,
    /// The payment it becomes.
    pub payment: Payment,
    pub oid: Box<str>,
}

/// A cpay payment link.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub fields: Record,
}

/// A hub payee account (billing_tran_id).
#[derive(Debug, Clone)]
pub(crate) struct HubAccount {
    pub fields: Record,
}

/// The state of a hub payout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayoutState {
    Requested,
    Executed,
    Cancelled,
}

impl PayoutState {
    fn as_str(self) -> &'static str {
        match self {
            PayoutState::Requested => "requested",
            PayoutState::Executed => "executed",
            PayoutState::Cancelled => "cancelled",
        }
    }
}

/// A hub payout request (one group_key per request).
#[derive(Debug, Clone)]
pub(crate) struct Payout {
    pub billing_tran_id: Box<str>,
    pub distinct_key: Option<Box<str>>,
    pub amount: u64,
    pub state: PayoutState,
    pub api_tran_id: Option<Box<str>>,
    /// `YYYYMMDD` (KST) of the execution.
    pub executed_on: Option<Box<str>>,
    pub fields: Record,
}

/// A global payment (billing-key payment or window payment).
#[derive(Debug, Clone)]
pub(crate) struct GlobalPayment {
    pub pay_id: Box<str>,
    /// Amount in hundredths of the currency unit.
    pub cents: u64,
    pub cancelled_cents: u64,
    pub currency: Box<str>,
    pub fields: Record,
}

/// A token issued by cpay partner auth.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub endpoint: Option<&'static str>,
    pub cst_token: Box<str>,
    pub key_token: Box<str>,
    pub expires: SystemTime,
}

/// A bearer token of hub or global.
#[derive(Debug, Clone)]
pub(crate) struct Bearer {
    pub service: &'static str,
    pub expires: SystemTime,
}

/// Everything the mock remembers.
#[derive(Debug)]
pub(crate) struct Ledger {
    pub payments: Capped<Payment>,
    pub billing_keys: Capped<BillingKey>,
    pub certs: Capped<Cert>,
    pub links: Capped<Link>,
    pub hub_accounts: Capped<HubAccount>,
    pub payouts: Capped<Payout>,
    pub global_keys: Capped<Record>,
    pub global_payments: Capped<GlobalPayment>,
    pub grants: Capped<Grant>,
    pub bearers: Capped<Bearer>,
    /// The hub partner's remaining payout limit.
    pub hub_remaining: u64,
}

fn method_str(m: Applies) -> &'static str {
    match m {
        Applies::Card => "card",
        Applies::Transfer => "transfer",
        Applies::Both => "both",
    }
}

impl Ledger {
    pub(crate) fn new(cap: usize, hub_remaining: u64) -> Ledger {
        Ledger {
            payments: Capped::new("payments", cap),
            billing_keys: Capped::new("billing keys", cap),
            certs: Capped::new("CERT requests", cap),
            links: Capped::new("links", cap),
            hub_accounts: Capped::new("hub accounts", cap),
            payouts: Capped::new("hub payouts", cap),
            global_keys: Capped::new("global billing keys", cap),
            global_payments: Capped::new("global payments", cap),
            grants: Capped::new("cpay auth tokens", cap),
            bearers: Capped::new("bearer tokens", cap),
            hub_remaining,
        }
    }

    /// Entries evicted from every collection.
    pub(crate) fn evicted(&self) -> u64 {
        self.payments.evicted
            + self.billing_keys.evicted
            + self.certs.evicted
            + self.links.evicted
            + self.hub_accounts.evicted
            + self.payouts.evicted
            + self.global_keys.evicted
            + self.global_payments.evicted
            + self.grants.evicted
            + self.bearers.evicted
    }

    /// The state for the admin route: amounts, states and order ids; never a billing key,
    /// token or personal value.
    pub(crate) fn snapshot(&self) -> Value {
        let payments: Vec<Value> = self
            .payments
            .iter()
            .map(|(oid, p)| {
                json!({
                    "order_id": oid,
                    "method": method_str(p.method),
                    "date": p.date,
                    "total": p.total,
                    "refunded": p.refunded,
                    "remaining": p.total.saturating_sub(p.refunded),
                    "state": if p.refunded == 0 { "paid" } else if p.refunded < p.total { "partially_refunded" } else { "refunded" },
                    "cash_receipt": p.receipt.as_ref().map(|r| json!({"amount": r.amount})),
                })
            })
            .collect();
        let keys: Vec<Value> = self
            .billing_keys
            .iter()
            .map(|(_, k)| {
                json!({
                    "method": if k.any_method { "both" } else { method_str(k.method) },
                    "deleted": k.deleted,
                    "documented_sample": k.any_method,
                })
            })
            .collect();
        let certs: Vec<Value> = self
            .certs
            .iter()
            .map(|(_, c)| json!({"order_id": c.oid, "method": method_str(c.method), "confirmed": c.confirmed}))
            .collect();
        let payouts: Vec<Value> = self
            .payouts
            .iter()
            .map(|(group_key, p)| {
                json!({"group": group_key, "amount": p.amount, "state": p.state.as_str(),
                       "executed_on": p.executed_on})
            })
            .collect();
        let global: Vec<Value> = self
            .global_payments
            .iter()
            .map(|(oid, g)| {
                json!({"order_id": oid, "currency": g.currency, "amount_cents": g.cents,
                       "cancelled_cents": g.cancelled_cents})
            })
            .collect();
        let mut counts = Map::new();
        for (name, n) in [
            ("payments", self.payments.len()),
            ("billing_keys", self.billing_keys.len()),
            ("cert_requests", self.certs.len()),
            ("links", self.links.len()),
            ("hub_accounts", self.hub_accounts.len()),
            ("hub_payouts", self.payouts.len()),
            ("global_billing_keys", self.global_keys.len()),
            ("global_payments", self.global_payments.len()),
            ("cpay_auth_tokens", self.grants.len()),
            ("bearer_tokens", self.bearers.len()),
        ] {
            counts.insert(name.into(), n.into());
        }
        json!({
            "counts": counts,
            "evicted": self.evicted(),
            "payments": payments,
            "billing_keys": keys,
            "cert_requests": certs,
            "hub_payouts": payouts,
            "hub_remaining_amount": self.hub_remaining,
            "global_payments": global,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_evicts_oldest_first() {
        let mut c: Capped<u32> = Capped::new("test", 3);
        for (i, k) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            c.insert(k, i as u32);
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.evicted, 2);
        let keys: Vec<&str> = c.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["c", "d", "e"]);
        // Replacing keeps the position and the count.
        c.insert("c", 9);
        assert_eq!(c.len(), 3);
        assert_eq!(c.get("c"), Some(&9));
        assert_eq!(c.remove("d"), Some(3));
        let keys: Vec<&str> = c.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["c", "e"]);
    }
}
