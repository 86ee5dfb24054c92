//! hub operations on the ledger: account verification (payee billing keys), payout
//! request, execution and cancel, the result inquiries and the remaining limit.

use crate::body::{best_sample, fill, fresh_value, is_result_field, record_of, success};
use crate::cpay::kst_date;
use crate::ledger::{HubAccount, Payout, PayoutState, Record, Val, rec_set};
use crate::protocol::names;
use crate::server::{Call, Reply, Shared, lock, refuse};
use payple_types::Role;
use payple_types::{Applies, EndpointSpec, FieldShape, FieldSpec, endpoint};
use serde_json::{Map, Value};
use std::time::SystemTime;

const BOTH: Applies = Applies::Both;

fn text(s: impl Into<Box<str>>) -> Val {
    Val::Text(s.into())
}

fn amount(v: &str) -> u64 {
    v.trim().parse().unwrap_or(0)
}

/// The partner's remaining payout limit when the mock starts: the documented sample's
/// `remain_amt`, else the sandbox's configured limit.
pub(crate) fn initial_remaining(configured: u64) -> u64 {
    endpoint("hub.remaining_limit")
        .and_then(|ep| best_sample(ep, BOTH))
        .and_then(|s| {
            s.get(names::hub(Role::RemainingAmount))?
                .as_str()
                .map(amount)
        })
        .unwrap_or(configured)
}

/// A success answer with the documented sample's optional fields where neither the
/// records nor the request set them.
pub(crate) fn full_success(
    ep: &'static EndpointSpec,
    method: Applies,
    request: &Value,
    records: &[&Record],
    now: SystemTime,
) -> Value {
    let mut body = success(ep, method, request, records, now);
    let sample = best_sample(ep, method);
    if let Some(b) = body.as_object_mut() {
        let skip = |name: &str| is_result_field(ep, name) || name == names::hub(Role::Items);
        fill(
            ep.service,
            ep.response,
            b,
            sample.as_ref().and_then(Value::as_object),
            &[],
            &Value::Null,
            method,
            now,
            &skip,
        );
    }
    body
}

/// One item of a documented list (`list`) built from records.
pub(crate) fn list_item(
    ep: &'static EndpointSpec,
    records: &[&Record],
    now: SystemTime,
) -> Option<Value> {
    let inner: &'static [FieldSpec] = ep.response.iter().find_map(|f| match f.shape {
        FieldShape::List(inner) if f.name == names::hub(Role::Items) => Some(inner),
        _ => None,
    })?;
    let sample = best_sample(ep, BOTH);
    let sample_item = sample.as_ref().and_then(|s| {
        s.get(names::hub(Role::Items))?
            .as_array()?
            .first()?
            .as_object()
            .cloned()
    });
    let mut obj = Map::new();
    let no_skip = |_: &str| false;
    fill(
        ep.service,
        inner,
        &mut obj,
        sample_item.as_ref(),
        records,
        &Value::Null,
        BOTH,
        now,
        &no_skip,
    );
    // The sample item's non-personal fields where the records say nothing.
    fill(
        ep.service,
        inner,
        &mut obj,
        sample_item.as_ref(),
        &[],
        &Value::Null,
        BOTH,
        now,
        &no_skip,
    );
    Some(Value::Object(obj))
}

impl Shared {
    pub(crate) fn hub_operation(&self, call: &Call<'_>) -> Reply {
        match call.ep.id {
            "hub.account_verification" => self.hub_verify(call),
            "hub.transfer_request" => self.hub_request(call),
            "hub.transfer_execute" => self.hub_execute(call, false),
            "hub.transfer_cancel" => self.hub_execute(call, true),
            "hub.transfer_result_inquiry" => self.hub_result(call),
            "hub.transfer_result_group" => self.hub_group(call, false),
            "hub.request_info_inquiry" => self.hub_group(call, true),
            "hub.transfer_result_daily" => self.hub_daily(call),
            "hub.remaining_limit" => {
                let rem = lock(&self.ledger).hub_remaining;
                let rec: Record = vec![(names::hub(Role::RemainingAmount), text(rem.to_string()))];
                (
                    200,
                    full_success(call.ep, BOTH, &call.request, &[&rec], call.now),
                )
            }
            _ => (
                200,
                full_success(call.ep, BOTH, &call.request, &[], call.now),
            ),
        }
    }

    fn hub_verify(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let id = fresh_value(ep, BOTH, names::hub(Role::BillingKey), call.now);
        let rec: Record = vec![
            (names::hub(Role::BillingKey), text(id.as_str())),
            (names::hub(Role::BankTransferDate), text(kst_date(call.now))),
        ];
        let body = full_success(ep, BOTH, &call.request, &[&rec], call.now);
        lock(&self.ledger).hub_accounts.insert(
            &id,
            HubAccount {
                fields: record_of(ep, &body, call.now),
            },
        );
        (200, body)
    }

    fn hub_request(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let facts = call.facts(BOTH);
        let mut l = lock(&self.ledger);
        let Some(account) = l
            .hub_accounts
            .get(call.get(names::hub(Role::BillingKey)))
            .cloned()
        else {
            return refuse(ep, "key_unknown", &facts);
        };
        let distinct = call.get(names::hub(Role::DistinctKey));
        if !distinct.is_empty()
            && l.payouts
                .values_where(|p| p.distinct_key.as_deref() == Some(distinct))
                .next()
                .is_some()
        {
            return refuse(ep, "request_duplicate", &facts);
        }
        let group_key = fresh_value(ep, BOTH, names::hub(Role::GroupKey), call.now);
        let amt = amount(call.get(names::hub(Role::Amount)));
        let rec: Record = vec![
            (names::hub(Role::GroupKey), text(group_key.as_str())),
            (
                names::hub(Role::RemainingAmount),
                text(l.hub_remaining.to_string()),
            ),
        ];
        let body = full_success(ep, BOTH, &call.request, &[&account.fields, &rec], call.now);
        let mut fields = account.fields.clone();
        for (k, v) in record_of(ep, &body, call.now) {
            rec_set(&mut fields, k, v);
        }
        l.payouts.insert(
            &group_key,
            Payout {
                billing_tran_id: call.get(names::hub(Role::BillingKey)).into(),
                distinct_key: (!distinct.is_empty()).then(|| distinct.into()),
                amount: amt,
                state: PayoutState::Requested,
                api_tran_id: None,
                executed_on: None,
                fields,
            },
        );
        (200, body)
    }

    fn hub_execute(&self, call: &Call<'_>, cancel: bool) -> Reply {
        let ep = call.ep;
        let facts = call.facts(BOTH);
        let mut l = lock(&self.ledger);
        let remaining = l.hub_remaining;
        let Some(p) = l
            .payouts
            .get_mut(call.get(names::hub(Role::GroupKey)))
            .filter(|p| {
                p.state == PayoutState::Requested
                    && &*p.billing_tran_id == call.get(names::hub(Role::BillingKey))
            })
        else {
            return refuse(ep, "key_unknown", &facts);
        };
        let mut rec: Record = vec![];
        if cancel {
            p.state = PayoutState::Cancelled;
        } else {
            p.state = PayoutState::Executed;
            let today = kst_date(call.now);
            // The payout's result, as the result inquiries show it.
            if let Some(res) = endpoint("hub.transfer_result_inquiry") {
                let api_tran_id = fresh_value(res, BOTH, names::hub(Role::TransactionId), call.now);
                let exec: Record = vec![
                    (names::hub(Role::TransactionId), text(api_tran_id.as_str())),
                    (names::hub(Role::BankTransferDate), text(today.as_str())),
                ];
                let result = full_success(res, BOTH, &Value::Null, &[&p.fields, &exec], call.now);
                for (k, v) in record_of(res, &result, call.now) {
                    rec_set(&mut p.fields, k, v);
                }
                p.api_tran_id = Some(api_tran_id.into());
            }
            p.executed_on = Some(today.into());
        }
        let amt = p.amount;
        let fields = p.fields.clone();
        if !cancel {
            l.hub_remaining = remaining.saturating_sub(amt);
        }
        rec.push((names::hub(Role::TotalAmount), text(amt.to_string())));
        rec.push((
            names::hub(Role::RemainingAmount),
            text(l.hub_remaining.to_string()),
        ));
        drop(l);
        let url = call.get(names::hub(Role::WebhookUrl));
        if !cancel
            && !url.is_empty()
            && let Some(hook) = endpoint("hub.webhook")
        {
            let body = full_success(hook, BOTH, &call.request, &[&fields], call.now);
            self.notify(hook.id, url, body, false);
        }
        (
            200,
            full_success(ep, BOTH, &call.request, &[&fields, &rec], call.now),
        )
    }

    fn hub_result(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let l = lock(&self.ledger);
        let id = call.get(names::hub(Role::TransactionId));
        let found = l
            .payouts
            .values_where(|p| !id.is_empty() && p.api_tran_id.as_deref() == Some(id))
            .next();
        match found {
            Some(p) => (
                200,
                full_success(ep, BOTH, &call.request, &[&p.fields], call.now),
            ),
            None => refuse(ep, "key_unknown", &call.facts(BOTH)),
        }
    }

    fn hub_group(&self, call: &Call<'_>, request_info: bool) -> Reply {
        let ep = call.ep;
        let l = lock(&self.ledger);
        let Some(p) = l.payouts.get(call.get(names::hub(Role::GroupKey))) else {
            return refuse(ep, "key_unknown", &call.facts(BOTH));
        };
        let shown = request_info || p.state == PayoutState::Executed;
        let mut extra: Record = vec![(names::hub(Role::RequestDate), Val::Time(call.now))];
        extra.push((names::hub(Role::ItemTotal), text(p.amount.to_string())));
        extra.push((
            names::hub(Role::ItemCount),
            text(if shown { "1" } else { "0" }),
        ));
        let mut body = full_success(ep, BOTH, &call.request, &[&p.fields, &extra], call.now);
        let items: Vec<Value> = if shown {
            list_item(ep, &[&p.fields, &extra], call.now)
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        if let Some(b) = body.as_object_mut() {
            b.insert(names::hub(Role::Items).into(), Value::Array(items));
        }
        (200, body)
    }

    fn hub_daily(&self, call: &Call<'_>) -> Reply {
        let ep = call.ep;
        let l = lock(&self.ledger);
        let day = call.get(names::hub(Role::BankTransferDate));
        let items: Vec<Value> = l
            .payouts
            .values_where(|p| p.executed_on.as_deref() == Some(day))
            .filter_map(|p| list_item(ep, &[&p.fields], call.now))
            .collect();
        let mut body = full_success(ep, BOTH, &call.request, &[], call.now);
        if let Some(b) = body.as_object_mut() {
            b.insert(names::hub(Role::Items).into(), Value::Array(items));
        }
        (200, body)
    }
}
