//! Every spec mistake fails with `file:line:column` and a message a person can act on.

use payple_codegen::{SpecFile, load::load};

/// The shipped root file plus one endpoint file with the given text.
fn lint(endpoint_yaml: &str) -> Vec<String> {
    let mut files: Vec<SpecFile> = payple_codegen::embedded_files();
    files.push(SpecFile {
        path: "endpoints/cpay/demo.yaml".into(),
        text: endpoint_yaml.to_string(),
    });
    match load(&files) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

const HEAD: &str = "id: cpay.demo
service: cpay
title: { ko: 데모, en: Demo }
summary: A fixture.
docs: [https://example.invalid/demo]
evidence: DOC
http:
  method: POST
  url: { path: /demo }
auth: { flow: none }
";

fn with_request(fields: &str) -> String {
    format!("{HEAD}request:\n{fields}")
}

#[test]
fn a_valid_endpoint_has_no_errors() {
    let errors = lint(&with_request(
        "  - { name: PCD_PAY_DATE, description: Date., type: N(8), required: yes, required_evidence: DOC, required_source: \"https://example.invalid/demo\", format: date8, example: \"20200320\" }\n",
    ));
    assert_eq!(errors, Vec::<String>::new());
}

#[test]
fn a_required_rule_needs_its_own_evidence_and_source() {
    let errors = lint(&with_request(
        "  - { name: A, description: x, type: N(8), required: yes }\n  - { name: B, description: x, type: N(8), required: { on: success }, required_evidence: SAMPLE }\n  - { name: C, description: x, type: N(8), required: no }\n",
    ));
    assert_eq!(
        errors,
        vec![
            "spec/endpoints/cpay/demo.yaml:12:54: error: the required rule of `A` has no `required_evidence` and `required_source`: say which source makes it required (a tag from payple.yaml and a URL), use INFERENCE with the page you infer from, or write `required: no`",
            "spec/endpoints/cpay/demo.yaml:13:54: error: the required rule of `B` has no `required_source`: say which source makes it required (a tag from payple.yaml and a URL), use INFERENCE with the page you infer from, or write `required: no`",
        ]
    );
}

#[test]
fn an_example_must_fit_its_values_and_format() {
    let errors = lint(&with_request(
        "  - { name: T, description: x, type: String, format: [datetime_dashed, datetime14], example: \"2020-13-20 10:00:00\" }\n  - { name: F, description: x, type: A(1), values: [{ value: \"Y\", meaning: yes }], example: \"N\" }\n  - { name: O, description: x, type: A(1), values: [{ value: \"Y\", meaning: yes }], values_open: Payple adds values, example: \"N\" }\n",
    ));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("spec/endpoints/cpay/demo.yaml:12:"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("example `2020-13-20 10:00:00` of `T` does not have the field's format datetime_dashed (YYYY-MM-DD hh:mm:ss) or datetime14 (YYYYMMDDhhmmss)"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("example `N` of `F` is not one of the field's own `values`"),
        "{errors:?}"
    );
}

#[test]
fn formats_and_conditions_are_checked() {
    let errors = lint(&format!(
        "{HEAD}request:\n  - {{ name: A, description: x, type: String, format: yyyymm }}\n  - {{ name: B, description: x, type: String, required: {{ on: sometimes }}, required_evidence: DOC, required_source: \"https://example.invalid/demo\" }}\n  - name: L\n    description: x\n    shape: list\n    fields:\n      - {{ name: C, description: x, type: String, required: {{ on: success }}, required_evidence: DOC, required_source: \"https://example.invalid/demo\" }}\n"
    ));
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].contains("format `yyyymm` is not defined in spec/payple.yaml"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("`on: sometimes` is not known; write success or error"),
        "{errors:?}"
    );
    assert!(
        errors[2].contains(
            "`C` is inside `L`: `on:` and `method:` conditions are only known for top-level fields"
        ),
        "{errors:?}"
    );
}

#[test]
fn yaml_syntax_error() {
    let errors = lint(&format!(
        "{HEAD}request:\n  - {{ name: A, description: x, type: N(8)\n"
    ));
    assert_eq!(
        errors,
        vec!["spec/endpoints/cpay/demo.yaml:12:5: error: unclosed bracket '{'"]
    );
}

#[test]
fn unknown_key() {
    let errors = lint(&with_request(
        "  - name: A\n    description: x\n    type: N(8)\n    requried: yes\n",
    ));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("spec/endpoints/cpay/demo.yaml:15:5: error: unknown field `requried`"),
        "{errors:?}"
    );
    assert!(errors[0].contains("check the spelling against spec/README.md"));
}

#[test]
fn malformed_type_codes() {
    let errors = lint(&with_request(
        "  - { name: A, description: x, type: aN(abc) }\n  - { name: B, description: x, type: Q(3) }\n  - { name: C, description: x, type: N() }\n",
    ));
    assert_eq!(
        errors,
        vec![
            "spec/endpoints/cpay/demo.yaml:12:38: error: malformed type code: `aN(abc)`: the length `abc` is not a whole number",
            "spec/endpoints/cpay/demo.yaml:13:38: error: malformed type code: `Q(3)`: unknown type-code letter `Q`; the alphabet in spec/payple.yaml has N, a, A, S, H",
            "spec/endpoints/cpay/demo.yaml:14:38: error: malformed type code: `N()`: the parentheses are empty; write the maximum length, e.g. `N(8)`",
        ]
    );
}

#[test]
fn duplicate_field() {
    let errors = lint(&with_request(
        "  - { name: A, description: x, type: N(8) }\n  - { name: A, description: y, type: N(8) }\n",
    ));
    assert_eq!(
        errors,
        vec![
            "spec/endpoints/cpay/demo.yaml:13:13: error: duplicate field `A` (first defined at line 12, column 13); each name may appear once per object"
        ]
    );
}

#[test]
fn dangling_references() {
    let errors = lint(&format!(
        "{HEAD}request:\n  - {{ name: A, description: x, type: N(8), required: {{ when: {{ field: NOPE, equals: \"Y\" }} }}, required_evidence: DOC, required_source: \"https://example.invalid/demo\" }}\nresponse:\n  - {{ name: CODE, description: x, type: String }}\nresult:\n  code_field: CODE\n  catalog: nope\n  success_codes: []\n"
    ));
    assert_eq!(
        errors,
        vec![
            "spec/endpoints/cpay/demo.yaml:12:54: error: dangling reference: the condition of `A` names `NOPE`, which is not a field of the same object",
            "spec/endpoints/cpay/demo.yaml:17:12: error: dangling reference: no response-code catalog `nope` (spec/codes/ has card_company, cpay, global, hub)",
        ]
    );
}

#[test]
fn example_violating_its_type_code() {
    let errors = lint(&with_request(
        "  - { name: D, description: x, type: N(8), example: \"2020-03-20\" }\n",
    ));
    assert_eq!(
        errors,
        vec![
            "spec/endpoints/cpay/demo.yaml:12:53: error: example `2020-03-20` of `D` violates its own type code N(8): character '-' at position 4 is outside the admitted classes; fix the example, or keep the documented one and explain it with `example_deviation:`"
        ]
    );
    // An explained deviation is accepted.
    let ok = lint(&with_request(
        "  - { name: D, description: x, type: N(8), example: \"2020-03-20\", example_deviation: the docs print a dashed date }\n",
    ));
    assert_eq!(ok, Vec::<String>::new());
}

#[test]
fn unknown_evidence_tag_and_id_mismatch() {
    let text = HEAD
        .replace("evidence: DOC", "evidence: DOCS")
        .replace("id: cpay.demo", "id: cpay.other");
    let errors = lint(&text);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with(
        "spec/endpoints/cpay/demo.yaml:1:5: error: endpoint id `cpay.other` does not match"
    ));
    assert!(
        errors[1]
            .starts_with("spec/endpoints/cpay/demo.yaml:6:11: error: unknown evidence tag `DOCS`")
    );
}

#[test]
fn limit_markers_and_rates_are_checked_where_written() {
    let yaml = format!(
        "{HEAD}limits:\n  - rule: \"Too many. [mock: Bad-Id]\"\n    code: X1\n    evidence: DOC\n  - rule: \"No code. [mock: no_code; amount<abc]\"\n    evidence: DOC\n  - rule: \"Rate.\"\n    rate: {{ max: 0, window_seconds: 600 }}\n    evidence: DOC\n"
    );
    let errors = lint(&yaml);
    assert_eq!(
        errors,
        vec![
            "spec/endpoints/cpay/demo.yaml:12:11: error: the situation id `Bad-Id` must be snake_case",
            "spec/endpoints/cpay/demo.yaml:15:11: error: a limit with a [mock: ...] marker needs a `code`",
            "spec/endpoints/cpay/demo.yaml:15:11: error: the bound of `amount<abc` is not a number",
            "spec/endpoints/cpay/demo.yaml:18:11: error: a rate needs max > 0 and window_seconds > 0",
            "spec/endpoints/cpay/demo.yaml:18:11: error: a rate limit needs the `code` answered past it",
        ]
    );
}

#[test]
fn a_role_must_name_existing_fields_of_existing_services() {
    let mut files: Vec<SpecFile> = payple_codegen::embedded_files();
    let root = files.iter_mut().find(|f| f.path == "payple.yaml").unwrap();
    root.text.push_str(
        "  - { id: Bad-Role, description: x, names: { cpay: [PCD_NO_SUCH_FIELD], moon: [x] } }\n",
    );
    let errors: Vec<String> = match load(&files) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(errors.len(), 4, "{errors:#?}");
    for expected in [
        "error: role id `Bad-Role` must be snake_case",
        "error: role `Bad-Role` names service `moon`, which spec/payple.yaml does not define",
        "error: role `Bad-Role`: no endpoint of `cpay` has a field `PCD_NO_SUCH_FIELD`; fix the name or drop it from the role",
        "error: role `Bad-Role`: no endpoint of `moon` has a field `x`; fix the name or drop it from the role",
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("spec/payple.yaml:") && e.ends_with(expected)),
            "missing {expected:?} in {errors:#?}"
        );
    }
}
