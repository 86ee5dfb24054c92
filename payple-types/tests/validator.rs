//! Behaviour of the validator on hand-made bodies: kinds, redaction, fingerprints, hostile input.

use payple_types::{Finding, Fingerprint, Kind, Part, Severity, TypeCode, validate};

fn kinds(endpoint: &str, part: Part, body: &[u8]) -> Vec<(Kind, String)> {
    validate(endpoint, part, body)
        .expect("endpoint exists")
        .findings
        .into_iter()
        .map(|f| (f.kind, f.pointer.into_owned()))
        .collect()
}

/// The fields a successful card result inquiry carries besides RST, CODE, MSG and TYPE
/// (required on success: every documented sample and official client has them).
const CARD_PAYMENT: &str = r#""PCD_PAY_OID":"o1","PCD_PAYER_ID":"k","PCD_PAY_GOODS":"g","PCD_PAY_TOTAL":"1000","PCD_PAY_CARDNAME":"BC카드","PCD_PAY_CARDNUM":"1111-****-****-2222","PCD_PAY_CARDTRADENUM":"2020031413203326920","PCD_PAY_TIME":"2020-03-20 19:50:00""#;

/// The same for a transfer.
const TRANSFER_PAYMENT: &str = r#""PCD_PAY_OID":"o1","PCD_PAYER_ID":"k","PCD_PAY_GOODS":"g","PCD_PAY_TOTAL":"1000","PCD_PAY_BANK":"081","PCD_PAY_BANKNAME":"KEB하나은행","PCD_PAY_BANKNUM":"123-********-021","PCD_TAXSAVE_FLAG":"N","PCD_PAY_TIME":"2020-03-20 19:50:00""#;

/// A successful result-inquiry answer: `head` (RST, CODE, MSG, TYPE) and the method's fields.
fn success(head: &str, method_fields: &str) -> Vec<u8> {
    format!("{{{head},{method_fields}}}").into_bytes()
}

#[test]
fn card_result_with_the_transfer_success_code_is_a_warning_not_an_error() {
    // Payple's page says success is PCHK000 or PCHK0000; its table pairs PCHK000 with
    // cards. The pairing is the weaker statement: a warning, and still a success.
    let body = success(
        r#""PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card""#,
        CARD_PAYMENT,
    );
    let report = validate("cpay.result_inquiry", Part::Response, &body).expect("known");
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Response, &body),
        vec![(Kind::SuccessCodeMismatch, "/PCD_PAY_CODE".to_string())]
    );
    assert_eq!(report.findings[0].severity, Severity::Warning);
    assert_eq!(report.findings[0].evidence, Some("DOC"));
    assert!(report.is_valid());
    assert!(
        !report.clone().strict().is_valid(),
        "--strict keeps the letter"
    );
    let model: payple_types::cpay::result_inquiry::Response =
        serde_json::from_slice(&body).expect("model");
    assert!(model.is_success());
    let ok = success(
        r#""PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card""#,
        CARD_PAYMENT,
    );
    assert_eq!(kinds("cpay.result_inquiry", Part::Response, &ok), vec![]);
    // A code that is no success code at all, under a success status, is an error.
    let wrong = success(
        r#""PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card""#,
        CARD_PAYMENT,
    );
    let report = validate("cpay.result_inquiry", Part::Response, &wrong).expect("known");
    assert_eq!(report.findings[0].kind, Kind::SuccessCodeMismatch);
    assert_eq!(report.findings[0].severity, Severity::Error);
}

#[test]
fn a_thin_success_answer_misses_its_required_fields() {
    let body = br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK000","PCD_PAY_MSG":"ok","PCD_PAY_OID":"o1","PCD_PAY_TYPE":"card"}"#;
    let got = kinds("cpay.result_inquiry", Part::Response, body);
    for field in [
        "PCD_PAY_TIME",
        "PCD_PAY_TOTAL",
        "PCD_PAY_CARDNAME",
        "PCD_PAY_CARDNUM",
    ] {
        assert!(
            got.contains(&(Kind::MissingRequired, format!("/{field}"))),
            "{field}: {got:?}"
        );
    }
    // A failure answer needs none of them.
    let error = br#"{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"refused"}"#;
    assert_eq!(kinds("cpay.result_inquiry", Part::Response, error), vec![]);
}

#[test]
fn dates_and_times_are_checked_against_the_calendar() {
    let time = |t: &str| {
        let card = CARD_PAYMENT.replace("2020-03-20 19:50:00", t);
        success(
            r#""PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card""#,
            &card,
        )
    };
    for bad in [
        "9639-70-36 99:99:99",
        "2023-02-29 10:00:00",
        "2020-03-20 24:00:00",
        "2020-03-20",
    ] {
        assert_eq!(
            kinds("cpay.result_inquiry", Part::Response, &time(bad)),
            vec![(Kind::InvalidFormat, "/PCD_PAY_TIME".to_string())],
            "{bad}"
        );
    }
    for good in ["2024-02-29 23:59:59", "20180423130201"] {
        assert_eq!(
            kinds("cpay.result_inquiry", Part::Response, &time(good)),
            vec![],
            "{good}"
        );
    }
    let request = |date: &str| {
        format!(
            r#"{{"PCD_CST_ID":"test","PCD_CUST_KEY":"abcd1234567890","PCD_AUTH_KEY":"a688","PCD_PAYCHK_FLAG":"Y","PCD_PAY_TYPE":"card","PCD_PAY_OID":"o1","PCD_PAY_DATE":{date}}}"#
        )
    };
    let report = validate(
        "cpay.result_inquiry",
        Part::Request,
        request(r#""20231345""#).as_bytes(),
    )
    .expect("known");
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].kind, Kind::InvalidFormat);
    assert_eq!(report.findings[0].pointer, "/PCD_PAY_DATE");
    assert!(
        report.findings[0].message().contains("month 13"),
        "{}",
        report.findings[0].message()
    );
    // A number where the digit string is documented: accepted with a warning.
    let report = validate(
        "cpay.result_inquiry",
        Part::Request,
        request("20231211").as_bytes(),
    )
    .expect("known");
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].kind, Kind::LenientForm);
    assert_eq!(report.findings[0].severity, Severity::Warning);
    assert_eq!(report.findings[0].evidence, Some("SAMPLE"));
    // The model exposes the parsed time.
    let model: payple_types::cpay::result_inquiry::Response =
        serde_json::from_slice(&time("2020-03-20 19:50:00")).expect("model");
    let t = model.pcd_pay_time_parsed().expect("parsed");
    assert_eq!(
        (t.year, t.month, t.day, t.hour),
        (Some(2020), Some(3), Some(20), Some(19))
    );
}

#[test]
fn empty_strings_and_nulls_in_optional_fields_read_as_absent() {
    let body = br#"{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x","PCD_PAY_TYPE":"","PCD_TAXSAVE_FLAG":null,"PCD_PAY_TIME":""}"#;
    assert_eq!(kinds("cpay.result_inquiry", Part::Response, body), vec![]);
    // Required there: "" is a value, and not one of the set.
    let body = br#"{"PCD_CST_ID":"test","PCD_CUST_KEY":"abcd1234567890","PCD_AUTH_KEY":"a688","PCD_PAYCHK_FLAG":"Y","PCD_PAY_TYPE":"","PCD_PAY_OID":"o1","PCD_PAY_DATE":"20200320"}"#;
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Request, body),
        vec![(Kind::InvalidValue, "/PCD_PAY_TYPE".to_string())]
    );
}

#[test]
fn inferred_rules_give_warnings_with_their_evidence() {
    // Upper-case letters in an aN order number: the lower-case reading of `a` is ours.
    let body = br#"{"PCD_CST_ID":"test","PCD_CUST_KEY":"abcd1234567890","PCD_AUTH_KEY":"a688","PCD_PAYCHK_FLAG":"Y","PCD_PAY_TYPE":"card","PCD_PAY_OID":"ORDER_17027809","PCD_PAY_DATE":"20200320"}"#;
    let report = validate("cpay.result_inquiry", Part::Request, body).expect("known");
    assert_eq!(
        report.findings.len(),
        1,
        "{:?}",
        report.kinds_and_pointers()
    );
    let f = &report.findings[0];
    assert_eq!(f.kind, Kind::TypeCodeViolation);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.evidence, Some("INFERENCE"));
    assert!(report.is_valid());
    let json = serde_json::to_value(f).expect("serializes");
    assert_eq!(json["evidence"], "INFERENCE");
    assert!(
        json["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("https://"))
    );
}

#[test]
fn every_finding_of_a_request_is_reported() {
    let body = br#"{"PCD_CST_ID":"x","PCD_AUTH_KEY":"k","PCD_PAYCHK_FLAG":"X","PCD_PAY_TYPE":"card","PCD_PAY_OID":"o1","PCD_PAY_DATE":"2020-03-20","PCD_REGULER_FLAG":"Y","EXTRA":"1"}"#;
    let mut got = kinds("cpay.result_inquiry", Part::Request, body);
    got.sort();
    let mut want = vec![
        (Kind::MissingRequired, "/PCD_CUST_KEY".to_string()),
        (Kind::MissingRequired, "/PCD_PAY_YEAR".to_string()),
        (Kind::MissingRequired, "/PCD_PAY_MONTH".to_string()),
        (Kind::InvalidValue, "/PCD_PAYCHK_FLAG".to_string()),
        (Kind::TypeCodeViolation, "/PCD_PAY_DATE".to_string()),
        (Kind::InvalidFormat, "/PCD_PAY_DATE".to_string()),
        (Kind::UndocumentedField, "/EXTRA".to_string()),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn sensitive_values_are_redacted_and_fingerprints_are_stable() {
    let body = br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"transfer","PCD_PAY_BANKNUM":12345678901234}"#;
    let report = validate("cpay.result_inquiry", Part::Response, body).expect("known");
    let f = &report.findings[0];
    assert_eq!(f.kind, Kind::JsonTypeMismatch);
    assert_eq!(f.actual.as_deref(), Some("number <redacted number>"));
    let text = serde_json::to_string(&report).expect("serializes");
    assert!(!text.contains("12345678901234"));
    // FNV-1a 64 of "cpay.result_inquiry\0response\0json_type_mismatch\0/PCD_PAY_BANKNUM\0":
    // the value deviations files hold, so it must never change.
    assert_eq!(f.fingerprint().to_string(), "ca214413fcada6b8");
    assert!(
        text.contains(r#""fingerprint":"ca214413fcada6b8""#),
        "{text}"
    );
    let again = validate("cpay.result_inquiry", Part::Response, body).expect("known");
    assert_eq!(again.findings[0].fingerprint(), f.fingerprint());
}

#[test]
fn fingerprints_parse_only_from_their_sixteen_digit_form() {
    let fp: Fingerprint = "ca214413fcada6b8".parse().expect("valid");
    assert_eq!(fp, Fingerprint(0xca21_4413_fcad_a6b8));
    assert_eq!(fp.to_string(), "ca214413fcada6b8");
    assert_eq!(
        Fingerprint::of(
            "cpay.result_inquiry",
            Part::Response,
            Kind::JsonTypeMismatch,
            "/PCD_PAY_BANKNUM"
        ),
        fp
    );
    for bad in [
        "",
        "CA214413FCADA6B8",
        "ca214413fcada6b",
        "ca214413fcada6b80",
        "+a214413fcada6b8",
        "ca214413fcada6bg",
    ] {
        let err = bad.parse::<Fingerprint>().expect_err(bad);
        assert!(
            err.contains("16 lower-case hexadecimal digits"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn rewriting_texts_redacts_the_message_and_keeps_the_fingerprint() {
    let body = br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"SECRET42","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card","SECRET42":"x"}"#;
    let mut report = validate("cpay.result_inquiry", Part::Response, body).expect("known");
    let before: Vec<_> = report.findings.iter().map(|f| f.fingerprint()).collect();
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.message().contains("SECRET42")),
        "{:?}",
        report.findings
    );
    for f in &mut report.findings {
        f.rewrite_text(|t| {
            t.contains("SECRET42")
                .then(|| t.replace("SECRET42", "<redacted>"))
        });
    }
    let after: Vec<_> = report.findings.iter().map(|f| f.fingerprint()).collect();
    assert_eq!(before, after, "fingerprints follow the original pointer");
    let text = serde_json::to_string(&report).expect("serializes");
    assert!(!text.contains("SECRET42"), "{text}");
    assert!(text.contains("<redacted>"), "{text}");
}

#[test]
fn callers_can_report_their_own_findings_in_the_same_shape() {
    let ep = payple_types::endpoint("cpay.result_inquiry").expect("known");
    let f = Finding::with_message(
        Kind::MalformedBody,
        ep,
        Part::Request,
        "",
        "not sent as JSON",
    )
    .expecting(Some("application/json".into()), Some("text/plain".into()));
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.message(), "not sent as JSON");
    assert_eq!(f.to_string(), "not sent as JSON");
    assert_eq!(f.doc_url, ep.doc_url);
    assert_eq!(
        f.fingerprint(),
        Fingerprint::of(ep.id, Part::Request, Kind::MalformedBody, "")
    );
    let json: serde_json::Value = serde_json::to_value(&f).expect("serializes");
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "kind",
        "severity",
        "pointer",
        "field",
        "type_code",
        "expected",
        "actual",
        "message",
        "doc_url",
        "evidence",
        "source",
        "fingerprint",
    ];
    want.sort();
    keys.sort();
    assert_eq!(keys, want);
    assert_eq!(json["actual"], "text/plain");
}

#[test]
fn a_card_field_in_a_transfer_result_is_not_applicable() {
    let body = success(
        r#""PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"transfer","PCD_PAY_CARDNAME":"BC""#,
        TRANSFER_PAYMENT,
    );
    let report = validate("cpay.result_inquiry", Part::Response, &body).expect("known");
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].kind, Kind::NotApplicable);
    assert_eq!(report.findings[0].severity, Severity::Warning);
    assert!(report.is_valid());
}

#[test]
fn hostile_bodies_give_malformed_body_and_never_panic() {
    let deep = "[".repeat(10_000);
    let huge = vec![b' '; payple_types::MAX_BODY_BYTES + 1];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", b"".to_vec(), "empty"),
        (
            "html",
            b"<html><body>502 Bad Gateway</body></html>".to_vec(),
            "HTML",
        ),
        (
            "truncated",
            br#"{"PCD_PAY_RST":"succ"#.to_vec(),
            "not valid JSON",
        ),
        ("bom", b"\xEF\xBB\xBF{}".to_vec(), "byte-order mark"),
        (
            "invalid utf-8",
            b"{\"PCD_PAY_MSG\":\"\xff\xfe\"}".to_vec(),
            "UTF-8",
        ),
        // Places a skipping parser might not decode: an undocumented nested value, a key.
        (
            "invalid utf-8 in a skipped value",
            b"{\"EXTRA\":{\"a\":[\"\xc3\x28\"]}}".to_vec(),
            "UTF-8",
        ),
        (
            "invalid utf-8 in a key",
            b"{\"PCD_\xff\":\"x\"}".to_vec(),
            "UTF-8",
        ),
        (
            "php",
            br#"{ "PCD_PAY_RST" => "success" }"#.to_vec(),
            "PHP-style",
        ),
        ("deep", deep.into_bytes(), "not valid JSON"),
        ("huge", huge, "cap"),
        ("array", b"[1,2]".to_vec(), "not an object"),
    ];
    for (name, body, needle) in cases {
        let report = validate("cpay.result_inquiry", Part::Response, &body).expect("known");
        assert_eq!(report.findings.len(), 1, "{name}: {:?}", report.findings);
        assert_eq!(report.findings[0].kind, Kind::MalformedBody, "{name}");
        assert!(
            report.findings[0].message().contains(needle),
            "{name}: {}",
            report.findings[0].message()
        );
    }
}

#[test]
fn unknown_endpoint_is_an_error() {
    let err = validate("cpay.nope", Part::Response, b"{}").expect_err("unknown");
    assert_eq!(err.to_string(), "unknown endpoint `cpay.nope`");
}

#[test]
fn type_codes_display_their_notation_and_check_values() {
    let code = TypeCode::parse("aNS(5)").expect("valid");
    assert_eq!(code.to_string(), "aNS(5)");
    assert!(code.check("a-1").is_ok());
    assert!(code.check("A").is_err());
    assert!(code.check("abcdef").is_err());
    assert!(TypeCode::parse("Q(3)").is_err());
    assert!(TypeCode::parse("N()").is_err());
    let hangul = TypeCode::parse("AH(20)").expect("valid");
    assert!(hangul.check("우리은행").is_ok());
}

/// `TypeCode::parse` keeps one copy of each distinct notation: parsing the same code again
/// (from a new string each time) allocates nothing more, so a user parsing codes per
/// request does not leak memory call after call.
#[test]
fn parsing_a_type_code_again_reuses_its_notation() {
    let first = TypeCode::parse(&format!("aN({})", 4321)).expect("valid");
    for _ in 0..1000 {
        let again = TypeCode::parse(&String::from("aN(4321)")).expect("valid");
        assert!(std::ptr::eq(first.notation, again.notation));
        assert_eq!(again, first);
    }
    // Invalid codes keep nothing; different codes have different notations.
    assert!(TypeCode::parse("aN(0)").is_err());
    let other = TypeCode::parse("aN(4322)").expect("valid");
    assert_eq!(other.notation, "aN(4322)");
    assert!(!std::ptr::eq(first.notation, other.notation));
}

#[test]
fn models_keep_unknown_values_and_redact_secrets() {
    use payple_types::cpay::PayType;
    use payple_types::cpay::result_inquiry::Response;
    let body = r#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK000","PCD_PAY_TYPE":"crypto","PCD_PAYER_ID":"secret-key","PCD_CARDNAME":"BC카드"}"#;
    let r: Response = serde_json::from_str(body).expect("tolerant");
    assert_eq!(r.pcd_pay_type, Some(PayType::Other("crypto".into())));
    assert_eq!(r.pcd_pay_cardname.as_deref(), Some("BC카드"));
    assert!(!format!("{r:?}").contains("secret-key"));
    let code = r.result_code().expect("has a code");
    assert_eq!(code.class(), Some(payple_types::CodeClass::Success));
}

#[test]
fn findings_come_in_body_order_even_when_the_method_comes_last() {
    // The card-only field precedes PCD_PAY_TYPE; its not_applicable finding still sits at
    // its place in the body, between the findings of the keys around it.
    let body = success(
        r#""ZZZ":"1","PCD_PAY_CARDNAME":"BC","AAA":"2","PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"transfer""#,
        TRANSFER_PAYMENT,
    );
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Response, &body),
        vec![
            (Kind::UndocumentedField, "/ZZZ".to_string()),
            (Kind::NotApplicable, "/PCD_PAY_CARDNAME".to_string()),
            (Kind::UndocumentedField, "/AAA".to_string()),
        ]
    );
}

#[test]
fn duplicate_keys_are_malformed_at_their_pointer() {
    let body = br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card","PCD_PAY_CODE":"PCHK9997","X":"1","X":"2"}"#;
    let report = validate("cpay.result_inquiry", Part::Response, body).expect("known");
    let got: Vec<(Kind, String)> = report
        .findings
        .iter()
        .map(|f| (f.kind, f.pointer.to_string()))
        .collect();
    assert!(
        got.contains(&(Kind::MalformedBody, "/PCD_PAY_CODE".to_string())),
        "{got:?}"
    );
    assert!(
        got.contains(&(Kind::MalformedBody, "/X".to_string())),
        "{got:?}"
    );
    assert!(!report.is_valid());
    let dup = report
        .findings
        .iter()
        .find(|f| f.pointer == "/X" && f.kind == Kind::MalformedBody)
        .expect("duplicate finding");
    assert!(
        dup.message().contains("more than once"),
        "{}",
        dup.message()
    );
    // A field under its current and its legacy name is not a duplicate key.
    let both = br#"{"PCD_PAYCHK_FLAG":"Y","PCD_PAYCHECK_FLAG":"Y","PCD_CST_ID":"a","PCD_CUST_KEY":"b","PCD_AUTH_KEY":"c","PCD_PAY_TYPE":"card","PCD_PAY_OID":"o","PCD_PAY_DATE":"20200320"}"#;
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Request, both),
        vec![(Kind::LegacyFieldName, "/PCD_PAYCHECK_FLAG".to_string())]
    );
}

#[test]
fn escaped_keys_and_strings_are_read_like_plain_ones() {
    // \u escapes force owned (not borrowed) strings through the one-pass reader.
    let plain = success(
        r#""PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card""#,
        CARD_PAYMENT,
    );
    let escaped = success(
        r#""PCD_PAY_\u0052ST":"succ\u0065ss","PCD_PAY_CODE":"PCHK000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"c\u0061rd""#,
        CARD_PAYMENT,
    );
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Response, &plain),
        kinds("cpay.result_inquiry", Part::Response, &escaped)
    );
    let wrong = success(
        r#""PCD_PAY_RST":"succ\u0065ss","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"c\u0061rd""#,
        CARD_PAYMENT,
    );
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Response, &wrong),
        vec![(Kind::SuccessCodeMismatch, "/PCD_PAY_CODE".to_string())]
    );
}

#[test]
fn an_error_after_findings_leaves_only_malformed_body() {
    let body = br#"{"EXTRA":"1","PCD_PAY_RST":12,"PCD_PAY_CODE":"#;
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Response, body),
        vec![(Kind::MalformedBody, String::new())]
    );
    let trailing = br#"{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x"} {"#;
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Response, trailing),
        vec![(Kind::MalformedBody, String::new())]
    );
}

#[test]
fn invalid_utf8_in_a_skipped_value_is_still_malformed() {
    let mut body =
        br#"{"PCD_PAY_RST":"error","PCD_PAY_CODE":"PCHK9997","PCD_PAY_MSG":"x","UNDOCUMENTED":""#
            .to_vec();
    body.extend_from_slice(&[0xFF, 0xFE]);
    body.extend_from_slice(br#""}"#);
    assert_eq!(
        kinds("cpay.result_inquiry", Part::Response, &body),
        vec![(Kind::MalformedBody, String::new())]
    );
}

#[test]
fn services_auth_flows_and_call_targets_are_tabled() {
    use payple_types::{Target, auth_flow, endpoint, service};
    let cpay = service("cpay").expect("cpay");
    assert!(
        cpay.environments
            .iter()
            .any(|e| e.base_url == "https://democpay.payple.kr" && !e.production)
    );
    assert!(
        cpay.environments
            .iter()
            .any(|e| e.base_url == "https://cpay.payple.kr" && e.production)
    );
    assert!(!cpay.test_credentials.is_empty());
    let hub_flow = auth_flow("hub.bearer_token").expect("flow");
    assert_eq!(hub_flow.lifetime_seconds, Some(60));
    let inquiry = endpoint("cpay.result_inquiry").expect("endpoint");
    assert_eq!(inquiry.method, "POST");
    assert_eq!(inquiry.target, Target::AuthReturnUrl("cpay.partner_auth"));
    assert_eq!(inquiry.auth_flag, Some(("PCD_PAYCHK_FLAG", "Y")));
    assert!(matches!(
        endpoint("cpay.auth").expect("auth").target,
        Target::Path("/php/auth.php")
    ));
}

#[test]
fn the_test_environment_prefix_is_not_part_of_the_code() {
    // Test hosts put `[test]` in front of result codes (spec/payple.yaml, message_prefix).
    let body = success(
        r#""PCD_PAY_RST":"success","PCD_PAY_CODE":"[test]PCHK000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card""#,
        CARD_PAYMENT,
    );
    assert_eq!(kinds("cpay.result_inquiry", Part::Response, &body), vec![]);
    let model: payple_types::cpay::result_inquiry::Response =
        serde_json::from_slice(&body).expect("model");
    assert!(model.is_success());
    assert_eq!(
        payple_types::strip_test_prefix("[test] PCHK9997"),
        "PCHK9997"
    );
    assert_eq!(payple_types::strip_test_prefix("PCHK9997"), "PCHK9997");
}

#[test]
fn a_request_is_built_from_its_documented_required_fields() {
    use payple_types::cpay::result_inquiry::Request;
    use payple_types::cpay::{PayType, PaychkFlag};
    let r = Request::new(
        "test",
        "abcd1234567890",
        "a688ccb3555c25cd722483f03e23065c3d0251701ad6da895eb2d830bc06e34d",
        PaychkFlag::Y,
        PayType::Card,
        "test201804000001",
        "20200320",
    );
    let body = serde_json::to_vec(&r).expect("serializes");
    let report = validate("cpay.result_inquiry", Part::Request, &body).expect("known");
    assert_eq!(
        report.findings,
        vec![],
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert!(
        !format!("{r:?}").contains("abcd1234567890"),
        "secrets stay redacted"
    );
}

#[test]
fn documented_required_request_fields_are_not_optional() {
    use payple_types::cpay::result_inquiry::Request;
    use payple_types::cpay::{PayType, PaychkFlag};
    let r = Request::new(
        "test",
        "abcd1234567890",
        "authkey",
        PaychkFlag::Y,
        PayType::Transfer,
        "ORDER_17027809",
        "20231201",
    );
    // Plain values, no `Option` to unwrap; optional fields start absent.
    let oid: &str = &r.pcd_pay_oid;
    assert_eq!(oid, "ORDER_17027809");
    assert_eq!(r.pcd_pay_type, PayType::Transfer);
    // A body without a documented required field does not deserialize, naming it; `null`
    // in one is refused too. Optional fields stay lenient.
    let mut v = serde_json::to_value(&r).expect("serializes");
    let back: Request = serde_json::from_value(v.clone()).expect("round trip");
    assert_eq!(back, r);
    v.as_object_mut().unwrap().remove("PCD_PAY_OID");
    let e = serde_json::from_value::<Request>(v.clone()).unwrap_err();
    assert!(e.to_string().contains("PCD_PAY_OID"), "{e}");
    v["PCD_PAY_OID"] = serde_json::Value::Null;
    let e = serde_json::from_value::<Request>(v).unwrap_err();
    assert!(e.to_string().contains("requires"), "{e}");
    // Numbers where a digit string is documented still read (wire leniency).
    let mut n = serde_json::to_value(&r).expect("serializes");
    n["PCD_PAY_DATE"] = serde_json::json!(20231201);
    let read: Request = serde_json::from_value(n).expect("lenient");
    assert_eq!(read.pcd_pay_date, "20231201");
}

/// Findings on top-level fields borrow their pointer from the spec tables: every table
/// entry is the RFC 6901 pointer of its name, and a finding under a legacy name points at
/// that name, not the current one.
#[test]
fn top_level_pointers_are_the_fields_names_escaped() {
    use payple_types::{endpoints, pointer_token};
    let mut fields = 0;
    for ep in endpoints() {
        for part in [Part::Request, Part::Response] {
            for f in ep.fields(part) {
                let names: Vec<&str> = std::iter::once(f.name)
                    .chain(f.legacy_names.iter().copied())
                    .collect();
                assert_eq!(
                    f.rules.top_pointers.len(),
                    names.len(),
                    "{} {}",
                    ep.id,
                    f.name
                );
                for (name, pointer) in names.iter().zip(f.rules.top_pointers) {
                    assert_eq!(*pointer, format!("/{}", pointer_token(name)));
                    assert_eq!(f.top_pointer(name), Some(*pointer));
                }
                assert_eq!(f.top_pointer("not a field name"), None);
                fields += 1;
            }
        }
    }
    assert!(fields > 300, "{fields} fields");
    let legacy = br#"{"PCD_PAY_RST":"success","PCD_PAY_CODE":"PCHK0000","PCD_PAY_MSG":"ok","PCD_PAY_TYPE":"card","PCD_CARDNAME":"BC"}"#;
    let report = validate("cpay.result_inquiry", Part::Response, legacy).expect("known");
    let f = report
        .findings
        .iter()
        .find(|f| f.kind == Kind::LegacyFieldName)
        .expect("legacy name reported");
    assert_eq!(f.pointer, "/PCD_CARDNAME");
    assert!(matches!(f.pointer, std::borrow::Cow::Borrowed(_)));
}
