//! Rust generation: models, validator tables, catalogs and embedded schemas, as a
//! `TokenStream` that [`format`] turns into source with prettyplease.

use crate::model::*;
use crate::schema;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// What to emit.
#[derive(Debug, Clone)]
pub struct Options {
    /// Path of the runtime crate in generated code (`crate` inside payple-types,
    /// `::payple_types` elsewhere).
    pub runtime: String,
    /// Emit the validator tables, the alphabet, catalogs and samples (payple-types only).
    pub validator_tables: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            runtime: "::payple_types".into(),
            validator_tables: false,
        }
    }
}

/// Formats a token stream as Rust source: laid out by prettyplease with the `pretty` feature
/// (the default; an error if the tokens are not a Rust file), else the token stream's own
/// text (compiles the same, on few lines).
pub fn format(tokens: TokenStream) -> Result<String, String> {
    #[cfg(feature = "pretty")]
    {
        let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
        Ok(prettyplease::unparse(&file))
    }
    #[cfg(not(feature = "pretty"))]
    {
        let mut out = String::new();
        write_plain(tokens, &mut out);
        Ok(out)
    }
}

/// Writes tokens as their text, the way `TokenStream`'s `Display` does (a space after each
/// token, none inside a joint operator such as `::`), with a line break after `;`, `,` and
/// braces, so that no line is much longer than its longest literal (compiler messages quote
/// whole lines).
#[cfg(not(feature = "pretty"))]
fn write_plain(tokens: TokenStream, out: &mut String) {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    for tt in tokens {
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Brace => ("{\n", "}\n"),
                    Delimiter::Parenthesis => ("(", ") "),
                    Delimiter::Bracket => ("[", "] "),
                    Delimiter::None => ("", " "),
                };
                out.push_str(open);
                write_plain(g.stream(), out);
                out.push_str(close);
            }
            TokenTree::Punct(p) => {
                out.push(p.as_char());
                match (p.spacing(), p.as_char()) {
                    (Spacing::Joint, _) => {}
                    (Spacing::Alone, ';' | ',') => out.push('\n'),
                    (Spacing::Alone, _) => out.push(' '),
                }
            }
            TokenTree::Ident(i) => {
                out.push_str(&i.to_string());
                out.push(' ');
            }
            TokenTree::Literal(l) => {
                out.push_str(&l.to_string());
                out.push(' ');
            }
        }
    }
}

/// Generates the whole output for a spec.
pub fn generate(spec: &Spec, opts: &Options) -> TokenStream {
    let rt: TokenStream = opts.runtime.parse().expect("runtime path is a Rust path");
    let models = service_modules(spec, &rt);
    let schemas = spec.endpoints.iter().flat_map(|ep| {
        [Part::Request, Part::Response].map(|part| {
            let id = &ep.id;
            let p = part_tokens(part, &rt);
            let text = serde_json::to_string_pretty(&schema::endpoint_schema(spec, ep, part))
                .expect("schema serializes");
            quote! { (#id, #p, #text) }
        })
    });
    let tables = if opts.validator_tables {
        validator_tables(spec, &rt)
    } else {
        TokenStream::new()
    };
    let catalogs = catalogs_module(spec, &rt);
    quote! {
        #catalogs
        /// JSON Schemas (draft 2020-12) by endpoint id and part.
        #[doc(hidden)]
        pub static SCHEMAS: &[(&str, #rt::Part, &str)] = &[#(#schemas),*];
        #tables
        #models
    }
}

/// One module per service (`cpay`, `hub`, `global`) holding the shared value enums of the
/// service and one module per endpoint (`cpay::result_inquiry::{Request, Response}`).
fn service_modules(spec: &Spec, rt: &TokenStream) -> TokenStream {
    let mut services: Vec<&str> = spec.endpoints.iter().map(|e| e.service.as_str()).collect();
    services.dedup();
    services.sort_unstable();
    services.dedup();
    let modules = services.into_iter().map(|svc| {
        let endpoints: Vec<&Endpoint> = spec.endpoints.iter().filter(|e| e.service == svc).collect();
        let enums = shared_enums(&endpoints);
        let enum_items = enums.iter().map(|e| value_enum(rt, e));
        let cx_enums = &enums;
        let endpoint_items = endpoints
            .iter()
            .map(|ep| endpoint_module(spec, ep, rt, cx_enums));
        let title = spec
            .services
            .iter()
            .find(|s| s.id == svc)
            .map(|s| format!("{} ({})", s.title.en, s.title.ko))
            .unwrap_or_default();
        let doc = format!(
            "Service `{svc}`: {title}. One module per endpoint, and the value enums its fields share."
        );
        let ident = field_ident(svc);
        quote! {
            #[doc = #doc]
            pub mod #ident {
                #[allow(unused_imports)]
                use super::*;
                #(#enum_items)*
                #(#endpoint_items)*
            }
        }
    });
    quote!(#(#modules)*)
}

/// A value set shared by every field of one name in a service: the union of the values
/// each endpoint documents for it, in the order they first appear.
#[derive(Debug, Clone)]
struct SharedEnum {
    /// The enum's name (`PayType` for `PCD_PAY_TYPE`).
    name: String,
    /// The JSON key.
    field: String,
    /// Values with their first documented meaning, and the endpoints documenting each.
    values: Vec<(String, String, Vec<String>)>,
}

/// Names a Rust program already means something by.
const TAKEN: &[&str] = &[
    "Result", "Option", "String", "Box", "Vec", "Ok", "Err", "Some", "None", "Request", "Response",
    "Self", "Default", "Clone", "Debug", "Value", "Amount", "Secret",
];

fn shared_enums(endpoints: &[&Endpoint]) -> Vec<SharedEnum> {
    fn walk<'a>(fields: &'a [Field], out: &mut Vec<&'a Field>) {
        for f in fields {
            if f.shape == Shape::Scalar && !f.values.is_empty() {
                out.push(f);
            }
            walk(&f.fields, out);
        }
    }
    let mut enums: Vec<SharedEnum> = Vec::new();
    for ep in endpoints {
        let mut fields = Vec::new();
        walk(&ep.request, &mut fields);
        walk(&ep.response, &mut fields);
        for f in fields {
            let e = match enums.iter_mut().find(|e| e.field == f.name) {
                Some(e) => e,
                None => {
                    let base = camel(f.name.strip_prefix("PCD_").unwrap_or(&f.name));
                    let mut name = if TAKEN.contains(&base.as_str()) {
                        format!("{base}Value")
                    } else {
                        base
                    };
                    while enums.iter().any(|e| e.name == name) {
                        name.push('2');
                    }
                    enums.push(SharedEnum {
                        name,
                        field: f.name.clone(),
                        values: Vec::new(),
                    });
                    enums.last_mut().expect("just pushed")
                }
            };
            for (v, meaning) in &f.values {
                match e.values.iter_mut().find(|(x, _, _)| x == v) {
                    Some((_, _, eps)) => {
                        if !eps.contains(&ep.id) {
                            eps.push(ep.id.clone());
                        }
                    }
                    None => e
                        .values
                        .push((v.clone(), meaning.clone(), vec![ep.id.clone()])),
                }
            }
        }
    }
    enums
}

/// An identifier for a generated name; Rust keywords become raw identifiers (`r#type`).
pub fn field_ident(name: &str) -> Ident {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
        "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
        "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
        "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
        "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

fn part_tokens(part: Part, rt: &TokenStream) -> TokenStream {
    match part {
        Part::Request => quote!(#rt::Part::Request),
        Part::Response => quote!(#rt::Part::Response),
    }
}

/// `cpay.result_inquiry` -> `cpay_result_inquiry` (a flat name, for file and item names).
pub fn module_name(id: &str) -> Ident {
    Ident::new(&id.replace('.', "_"), Span::call_site())
}

/// `PCD_PAY_TYPE` -> `pcd_pay_type`, `AuthKey` -> `auth_key`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    let out = if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("f_{out}")
    } else {
        out
    };
    // Keywords become raw identifiers (`field_ident`); these cannot, or would clash with
    // the generated `extra` map.
    match out.as_str() {
        "self" | "crate" | "super" | "extra" => format!("{out}_"),
        _ => out,
    }
}

/// `PCD_PAY_TYPE` -> `PcdPayType`.
pub fn camel(name: &str) -> String {
    snake(name)
        .trim_end_matches('_')
        .split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A variant name for an enum value (`card` -> `Card`, `간편결제` -> `V0`).
fn variant_name(value: &str, index: usize) -> Ident {
    let c = camel(value);
    if c.is_empty()
        || !c.chars().all(|ch| ch.is_ascii_alphanumeric())
        || c.starts_with(|ch: char| ch.is_ascii_digit())
        || c == "Other"
        || c == "Self_"
    {
        format_ident!("V{}", index)
    } else {
        Ident::new(&c, Span::call_site())
    }
}

/// `text` for a doc comment: bare `http(s)://` URLs become rustdoc autolinks (`<url>`), so
/// that the generated docs build with `-D warnings`; URLs already in `<...>` or in a
/// Markdown link stay as they are. A URL ends at white space, a closing bracket or quote,
/// and does not take a sentence's final `.`, `,`, `;` or `:`.
pub(crate) fn doc_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(at) = rest
        .find("http://")
        .into_iter()
        .chain(rest.find("https://"))
        .min()
    {
        let (before, url_on) = rest.split_at(at);
        out.push_str(before);
        let end = url_on
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | ']' | '>' | '"' | '\'' | '`'))
            .unwrap_or(url_on.len());
        let mut url = &url_on[..end];
        while let Some(trimmed) = url.strip_suffix(['.', ',', ';', ':']) {
            url = trimmed;
        }
        let linked = before.ends_with('<') || before.ends_with("](");
        if linked || url.len() <= "https://".len() {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &url_on[url.len()..];
    }
    out.push_str(rest);
    out
}

fn field_doc(f: &Field) -> String {
    let mut doc = doc_links(&f.description);
    if let Some(ko) = &f.ko {
        doc.push_str(&format!(" ({ko})"));
    }
    doc.push_str(&format!("\n\nJSON key `{}`", f.name));
    if let Some(t) = &f.documented_type {
        doc.push_str(&format!("; type `{}`", t.notation));
    }
    doc.push_str(match &f.required {
        Required::Always => "; required",
        Required::Never => "; optional",
        Required::When(_) => "; conditionally required",
    });
    if f.applies != Applies::Both {
        doc.push_str(&format!("; {} only", f.applies.as_str()));
    }
    if f.sensitive {
        doc.push_str("; sensitive (redacted in `Debug`)");
    }
    doc.push_str(&format!("; evidence {}.", f.evidence));
    if !f.legacy_names.is_empty() {
        let names: Vec<_> = f
            .legacy_names
            .iter()
            .map(|l| format!("`{}`", l.name))
            .collect();
        doc.push_str(&format!(
            " Also accepted under the legacy name {}.",
            names.join(", ")
        ));
    }
    doc
}

struct ModelCx<'a> {
    spec: &'a Spec,
    rt: &'a TokenStream,
    enums: &'a [SharedEnum],
    items: Vec<TokenStream>,
}

fn endpoint_module(
    spec: &Spec,
    ep: &Endpoint,
    rt: &TokenStream,
    enums: &[SharedEnum],
) -> TokenStream {
    let module = field_ident(ep.id.split_once('.').map_or(ep.id.as_str(), |(_, n)| n));
    let id = &ep.id;
    let doc = format!(
        "{} ({}): `{}`.\n\n{}\n\nDocumentation: <{}>",
        ep.title.en,
        ep.title.ko,
        ep.id,
        doc_links(&ep.summary),
        ep.doc_url()
    );
    let mut cx = ModelCx {
        spec,
        rt,
        enums,
        items: Vec::new(),
    };
    let request = object_struct(&mut cx, "Request", &ep.request, "The request body.");
    let response = object_struct(&mut cx, "Response", &ep.response, "The response body.");
    let result_impl = result_impl(spec, ep, rt);
    let items = cx.items;
    quote! {
        #[doc = #doc]
        pub mod #module {
            #[allow(unused_imports)]
            use super::*;
            /// The endpoint id.
            pub const ID: &str = #id;
            #request
            #response
            #result_impl
            #(#items)*
        }
    }
}

fn object_struct(cx: &mut ModelCx<'_>, name: &str, fields: &[Field], doc: &str) -> TokenStream {
    let rt = cx.rt.clone();
    let serde_path = format!("{}::serde", cx.rt).replace(' ', "");
    let ident = Ident::new(name, Span::call_site());
    let mut members = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    let mut used_names = Vec::new();
    let mut required_params = Vec::new();
    let mut all_fields: Vec<(Ident, bool)> = Vec::new();
    for f in fields {
        let mut fname = snake(&f.name);
        while !used.insert(fname.clone()) {
            fname.push('_');
        }
        used_names.push(fname.clone());
        let fident = field_ident(&fname);
        let key = &f.name;
        let doc = field_doc(f);
        let aliases = f.legacy_names.iter().map(|l| {
            let a = &l.name;
            quote!(alias = #a,)
        });
        // The documented required fields of a request are plain values (not `Option`) and
        // the constructor's parameters.
        let documented_required = name == "Request"
            && f.required == Required::Always
            && f.applies == Applies::Both
            && f.required_rule.as_ref().is_some_and(|r| r.documented)
            && f.required_contested.is_none();
        let (ty, with) = match f.shape {
            Shape::Object | Shape::List => {
                let item = format!("{}{}", name, camel(&f.name));
                let item_ident = Ident::new(&item, Span::call_site());
                let nested =
                    object_struct(cx, &item, &f.fields, &format!("An item of `{}`.", f.name));
                cx.items.push(nested);
                if f.shape == Shape::List {
                    (
                        quote!(::std::vec::Vec<#item_ident>),
                        quote!(#rt::lenient::list),
                    )
                } else {
                    (quote!(#item_ident), quote!(#rt::lenient::object))
                }
            }
            Shape::Scalar if !f.values.is_empty() => {
                let enum_name = cx
                    .enums
                    .iter()
                    .find(|e| e.field == f.name)
                    .map(|e| e.name.clone())
                    .expect("every field with values has a shared enum");
                let eid = Ident::new(&enum_name, Span::call_site());
                (quote!(super::#eid), quote!(#rt::lenient::from_text))
            }
            Shape::Scalar if f.amount => (quote!(#rt::Amount), quote!(#rt::lenient::from_text)),
            Shape::Scalar => (
                quote!(::std::string::String),
                quote!(#rt::lenient::from_text),
            ),
        };
        if documented_required {
            let param = if field_ident(&fname).to_string().starts_with("r#") {
                format_ident!("{}_", fname)
            } else {
                format_ident!("{}", fname)
            };
            let (arg_ty, value) = if f.sensitive {
                (
                    quote!(impl ::std::convert::Into<#ty>),
                    quote!(#rt::Secret::new(#param.into())),
                )
            } else {
                (
                    quote!(impl ::std::convert::Into<#ty>),
                    quote!(#param.into()),
                )
            };
            required_params.push((fident.clone(), param, arg_ty, value, f.name.clone()));
        }
        let ty = if f.sensitive {
            quote!(#rt::Secret<#ty>)
        } else {
            ty
        };
        let with = with.to_string().replace(' ', "");
        all_fields.push((fident.clone(), documented_required));
        if documented_required {
            let with = with
                .replace("lenient::from_text", "lenient::required_text")
                .replace("lenient::list", "lenient::required_list")
                .replace("lenient::object", "lenient::required_object");
            members.push(quote! {
                #[doc = #doc]
                #[serde(rename = #key, #(#aliases)* deserialize_with = #with)]
                pub #fident: #ty,
            });
        } else {
            members.push(quote! {
                #[doc = #doc]
                #[serde(rename = #key, #(#aliases)* default, skip_serializing_if = "Option::is_none", deserialize_with = #with)]
                pub #fident: ::std::option::Option<#ty>,
            });
        }
    }
    let accessors = fields.iter().zip(&used_names).filter_map(|(f, fname)| {
        let dated: Vec<&FormatDef> = f
            .formats
            .iter()
            .filter_map(|id| cx.spec.format(id))
            .filter(|d| d.pieces != [crate::datefmt::Piece::Digits])
            .collect();
        if dated.is_empty() || f.shape != Shape::Scalar || f.sensitive || !f.values.is_empty() || f.amount {
            return None;
        }
        let fident = field_ident(fname);
        let method = format_ident!("{}_parsed", fname);
        let required = all_fields.iter().any(|(i, r)| *r && *i == fident);
        let read = if required {
            quote!(let value: &str = &self.#fident;)
        } else {
            quote!(let value = self.#fident.as_deref()?;)
        };
        let patterns = dated.iter().map(|d| d.pattern.as_str()).collect::<Vec<_>>().join("` or `");
        let doc = format!(
            "`{}` read as a date or time (`{patterns}`); `None` when absent or in none of these formats.",
            f.name
        );
        let arrays = dated.iter().map(|d| {
            let pieces = d.pieces.iter().map(|p| piece_tokens(*p, &rt));
            quote!(&[#(#pieces),*])
        });
        Some(quote! {
            #[doc = #doc]
            pub fn #method(&self) -> ::std::option::Option<#rt::datefmt::DateTime> {
                #read
                let formats: &[&[#rt::datefmt::Piece]] = &[#(#arrays),*];
                formats.iter().find_map(|p| #rt::datefmt::parse(p, value).ok())
            }
        })
    }).collect::<Vec<_>>();
    let constructor = if required_params.is_empty() {
        TokenStream::new()
    } else {
        let names = required_params
            .iter()
            .map(|(_, _, _, _, key)| format!("`{key}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let doc = format!(
            "A request with every field the documentation requires ({names}); set the others on the result."
        );
        let params = required_params.iter().map(|(_, p, t, _, _)| quote!(#p: #t));
        let inits = all_fields.iter().map(|(f, required)| {
            if *required {
                let v = required_params
                    .iter()
                    .find(|(i, ..)| i == f)
                    .map(|(_, _, _, v, _)| v.clone())
                    .unwrap_or_default();
                quote!(#f: #v,)
            } else {
                quote!(#f: ::std::option::Option::None,)
            }
        });
        quote! {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self {
                    #(#inits)*
                    extra: ::std::collections::BTreeMap::new(),
                }
            }
        }
    };
    let accessors = if accessors.is_empty() && constructor.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            impl #ident {
                #constructor
                #(#accessors)*
            }
        }
    };
    // With required fields there is no meaningful default: `new` takes them.
    let default = if required_params.is_empty() {
        quote!(Default,)
    } else {
        TokenStream::new()
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, #default #rt::serde::Serialize, #rt::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        pub struct #ident {
            #(#members)*
            /// Keys the spec does not document, kept as received.
            #[serde(flatten)]
            pub extra: ::std::collections::BTreeMap<::std::string::String, #rt::serde_json::Value>,
        }
        #accessors
    }
}

fn value_enum(rt: &TokenStream, e: &SharedEnum) -> TokenStream {
    let ident = Ident::new(&e.name, Span::call_site());
    let mut variants = Vec::new();
    let mut from_arms = Vec::new();
    let mut as_arms = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, (value, meaning, endpoints)) in e.values.iter().enumerate() {
        let mut v = variant_name(value, i);
        if !seen.insert(v.to_string()) {
            v = format_ident!("V{}", i);
        }
        let doc = format!("`{value}`: {meaning} ({})", endpoints.join(", "));
        variants.push(quote! { #[doc = #doc] #v, });
        from_arms.push(quote! { #value => Self::#v, });
        as_arms.push(quote! { Self::#v => #value, });
    }
    let doc = format!(
        "The documented values of `{}`, shared by every endpoint of the service that has the field. Unknown values are kept in `Other`, so a new value from Payple never breaks deserialization.",
        e.field
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #ident {
            #(#variants)*
            /// A value the spec does not document.
            Other(::std::string::String),
        }
        impl #ident {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_arms)*
                    Self::Other(v) => v,
                }
            }
            /// Whether the value is one the spec documents.
            pub fn is_documented(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }
        impl ::std::str::FromStr for #ident {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(match s {
                    #(#from_arms)*
                    other => Self::Other(other.to_string()),
                })
            }
        }
        impl ::std::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl #rt::serde::Serialize for #ident {
            fn serialize<S: #rt::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    }
}

fn result_impl(spec: &Spec, ep: &Endpoint, rt: &TokenStream) -> TokenStream {
    let Some(r) = &ep.result else {
        return TokenStream::new();
    };
    let field_ident = |name: &str| -> Option<(Ident, &Field)> {
        ep.response
            .iter()
            .find(|f| f.name == name)
            .map(|f| (field_ident(&snake(&f.name)), f))
    };
    let text_of = |name: &str| -> TokenStream {
        match field_ident(name) {
            Some((id, f)) => {
                if f.sensitive {
                    quote!(self.#id.as_ref().map(|v| v.expose().as_str()))
                } else if f.values.is_empty() && !f.amount {
                    quote!(self.#id.as_deref())
                } else {
                    quote!(self.#id.as_ref().map(|v| v.as_str()))
                }
            }
            None => quote!(None::<&str>),
        }
    };
    let code = text_of(&r.code_field);
    let message = match &r.message_field {
        Some(m) => text_of(m),
        None => quote!(None::<&str>),
    };
    let status_check = match &r.status {
        Some((field, success)) => {
            let s = text_of(field);
            quote!(#s == Some(#success) &&)
        }
        None => TokenStream::new(),
    };
    let method = match ep
        .payment_method_field
        .as_deref()
        .and_then(|m| field_ident(m).map(|x| x.0).map(|_| m))
    {
        Some(m) => text_of(m),
        None => quote!(None::<&str>),
    };
    let codes = r.success_codes.iter().map(|sc| {
        let c = &sc.code;
        let a = sc.applies.as_str();
        quote!((#c, #a))
    });
    let method_codes = r.method_codes.iter().map(|mc| {
        let c = &mc.code;
        let a = mc.applies.as_str();
        quote!((#c, #a))
    });
    let catalog = Ident::new(
        &format!("CATALOG_{}", r.catalog.to_uppercase()),
        Span::call_site(),
    );
    let catalog_path = if spec.catalog(&r.catalog).is_some() {
        quote!(catalogs::#catalog)
    } else {
        quote!(&[])
    };
    quote! {
        impl Response {
            /// Success codes documented for this endpoint, with the payment method each applies to.
            pub const SUCCESS_CODES: &'static [(&'static str, &'static str)] = &[#(#codes),*];
            /// A weaker, contradicted statement of which success code each payment method
            /// gives (informational: it does not change [`Self::is_success`]).
            pub const METHOD_CODES: &'static [(&'static str, &'static str)] = &[#(#method_codes),*];
            /// Whether the body reports success: the status field (if any) says so and the
            /// result code is a documented success code for the payment method.
            pub fn is_success(&self) -> bool {
                let method = #method;
                #status_check #code.map(#rt::strip_test_prefix).is_some_and(|c| {
                    Self::SUCCESS_CODES.iter().any(|(code, applies)| {
                        *code == c && (*applies == "both" || method.is_none_or(|m| m == *applies) || !matches!(method, Some("card" | "transfer")))
                    })
                })
            }
            /// The result code with its catalog entry, if the body carries one.
            pub fn result_code(&self) -> ::std::option::Option<#rt::ResultCode> {
                #code.map(|c| #rt::ResultCode::lookup(#catalog_path, c))
            }
            /// The result message, if the body carries one.
            pub fn result_message(&self) -> ::std::option::Option<&str> {
                #message
            }
        }
    }
}

fn validator_tables(spec: &Spec, rt: &TokenStream) -> TokenStream {
    let alphabet = &spec.alphabet;
    let letters = alphabet.letters.iter().map(|l| {
        let ch = l.letter;
        let name = &l.name;
        let ranges = l.ranges.iter().map(|(a, b)| quote!((#a, #b)));
        quote!(#rt::Letter { letter: #ch, name: #name, ranges: &[#(#ranges),*] })
    });
    // One match per letter so overlapping ranges still set every bit.
    let per_letter = alphabet.letters.iter().enumerate().map(|(i, l)| {
        let bit = 1u8 << i;
        let pats = l.ranges.iter().map(|(a, b)| quote!(#a..=#b));
        quote!(if matches!(c, #(#pats)|*) { m |= #bit; })
    });
    let ascii_masks = (0u8..128).map(|b| alphabet.char_mask(char::from(b)));
    let letter_consts = alphabet.letters.iter().enumerate().map(|(i, l)| {
        let bit = 1u8 << i;
        let id = Ident::new(&l.letter.to_string(), Span::call_site());
        let doc = format!("`{}`: {}.", l.letter, l.name);
        quote!(#[doc = #doc] pub const #id: u8 = #bit;)
    });
    let words = alphabet.words.iter().map(|w| {
        let word = &w.word;
        let mask = match w.mask {
            Some(m) => quote!(Some(#m)),
            None => quote!(None),
        };
        quote!((#word, #mask))
    });
    let endpoints = spec.endpoints.iter().map(|ep| endpoint_table(spec, ep, rt));
    let services = services_tables(spec, rt);
    let roles = roles_tables(spec, rt);
    let formats = spec.formats.iter().map(|f| {
        let c = Ident::new(&format!("FORMAT_{}", f.id.to_uppercase()), Span::call_site());
        let (id, pattern) = (&f.id, &f.pattern);
        let pieces = f.pieces.iter().map(|p| piece_tokens(*p, rt));
        let doc = format!("Format `{}`: `{}` ({}).", f.id, f.pattern, f.rule.evidence);
        quote! {
            #[doc = #doc]
            #[doc(hidden)]
            pub const #c: #rt::FormatSpec = #rt::FormatSpec { id: #id, pattern: #pattern, pieces: &[#(#pieces),*] };
        }
    });
    let lenient = |form: LenientForm| match spec.leniency(form) {
        Some(r) => {
            let r = rule_tokens(r, rt);
            quote!(Some(#r))
        }
        None => quote!(None),
    };
    let number = lenient(LenientForm::NumberForNumericString);
    let empty = lenient(LenientForm::EmptyStringIsAbsent);
    let null = lenient(LenientForm::NullIsAbsent);
    let alphabet_rule = rule_tokens(&spec.alphabet_rule, rt);
    let prefixes = spec.message_prefixes.iter().map(|(t, _)| t);
    quote! {
        #services
        #roles
        #(#formats)*
        /// The wire forms Payple accepts beyond the letter of its tables (spec/payple.yaml).
        #[doc(hidden)]
        pub static WIRE_LENIENCY: #rt::WireLeniency = #rt::WireLeniency {
            number_for_numeric_string: #number,
            empty_string_is_absent: #empty,
            null_is_absent: #null,
        };
        /// Where the reading of the type-code letters comes from.
        #[doc(hidden)]
        pub static ALPHABET_RULE: #rt::RuleSource = #alphabet_rule;
        /// Prefixes test environments put in front of result codes and messages.
        #[doc(hidden)]
        pub static MESSAGE_PREFIXES: &[&str] = &[#(#prefixes),*];
        /// The type-code alphabet (inferred; see spec/payple.yaml).
        #[doc(hidden)]
        pub static ALPHABET: &[#rt::Letter] = &[#(#letters),*];
        /// Mask bits of the type-code letters, for [`Coded`](#rt::Coded):
        /// `Coded<{ letters::a | letters::N }, 255>`.
        #[allow(non_upper_case_globals)]
        pub mod letters {
            #(#letter_consts)*
        }
        /// Word notations and the letters they admit (`None`: any character).
        #[doc(hidden)]
        pub static WORDS: &[(&str, Option<u8>)] = &[#(#words),*];
        /// The alphabet bits of each ASCII character, by code point.
        #[doc(hidden)]
        pub static ASCII_MASKS: [u8; 128] = [#(#ascii_masks),*];
        /// The alphabet bits a character belongs to.
        #[inline]
        #[doc(hidden)]
        pub fn char_mask(c: char) -> u8 {
            if c.is_ascii() {
                return ASCII_MASKS[c as usize];
            }
            let mut m = 0u8;
            #(#per_letter)*
            m
        }
        /// Every endpoint of the spec, as compiled validator tables.
        #[doc(hidden)]
        pub static ENDPOINTS: &[#rt::EndpointSpec] = &[#(#endpoints),*];
    }
}

fn catalogs_module(spec: &Spec, rt: &TokenStream) -> TokenStream {
    let catalogs = spec.catalogs.iter().map(|c| {
        let ident = Ident::new(
            &format!("CATALOG_{}", c.id.to_uppercase()),
            Span::call_site(),
        );
        let id = &c.id;
        let doc = format!("Response-code catalog `{}`: {} ({}).", c.id, c.title.en, c.title.ko);
        let codes = c.codes.iter().map(|code| {
            let cd = &code.code;
            let msg = match &code.message {
                Some(m) => quote!(Some(#m)),
                None => quote!(None),
            };
            let meaning = &code.meaning;
            let class = match code.class {
                CodeClass::Success => quote!(#rt::CodeClass::Success),
                CodeClass::Failure => quote!(#rt::CodeClass::Failure),
            };
            let ev = &code.evidence;
            let src = &code.source;
            quote!(#rt::CodeEntry { catalog: #id, code: #cd, message: #msg, meaning: #meaning, class: #class, evidence: #ev, source: #src })
        });
        quote! {
            #[doc = #doc]
            pub static #ident: &[#rt::CodeEntry] = &[#(#codes),*];
        }
    });
    let catalog_list = spec.catalogs.iter().map(|c| {
        let ident = Ident::new(
            &format!("CATALOG_{}", c.id.to_uppercase()),
            Span::call_site(),
        );
        let id = &c.id;
        quote!((#id, #ident))
    });
    quote! {
        /// Response-code catalogs.
        pub mod catalogs {
            #(#catalogs)*
            /// Every catalog by id.
            pub static ALL: &[(&str, &[#rt::CodeEntry])] = &[#(#catalog_list),*];
        }
    }
}

fn endpoint_table(spec: &Spec, ep: &Endpoint, rt: &TokenStream) -> TokenStream {
    let id = &ep.id;
    let service = &ep.service;
    let title_en = &ep.title.en;
    let title_ko = &ep.title.ko;
    let doc_url = ep.doc_url();
    // The top-level fields whose values the validator's end-of-body rules read.
    let method_names: Vec<&str> = ep.payment_method_field.iter().map(String::as_str).collect();
    let mut result_names = method_names.clone();
    if let Some(r) = &ep.result {
        result_names.push(&r.code_field);
        result_names.extend(r.status.as_ref().map(|(f, _)| f.as_str()));
    }
    let request = field_tables(&ep.request, &method_names, rt);
    let response = field_tables(&ep.response, &result_names, rt);
    let method_field = match &ep.payment_method_field {
        Some(m) => quote!(Some(#m)),
        None => quote!(None),
    };
    let result = match &ep.result {
        None => quote!(None),
        Some(r) => {
            let status = match &r.status {
                Some((f, s)) => quote!(Some((#f, #s))),
                None => quote!(None),
            };
            let code_field = &r.code_field;
            let catalog = Ident::new(
                &format!("CATALOG_{}", r.catalog.to_uppercase()),
                Span::call_site(),
            );
            let codes = r.success_codes.iter().map(|sc| {
                let c = &sc.code;
                let a = applies_tokens(sc.applies, rt);
                quote!((#c, #a))
            });
            let cat = if spec.catalog(&r.catalog).is_some() {
                quote!(catalogs::#catalog)
            } else {
                quote!(&[])
            };
            let success_rule = rule_tokens(&r.success_rule(), rt);
            let method_codes = r.method_codes.iter().map(|mc| {
                let c = &mc.code;
                let a = applies_tokens(mc.applies, rt);
                quote!((#c, #a))
            });
            let method_rule = match r.method_codes.first() {
                Some(mc) => {
                    let r = rule_tokens(&mc.rule, rt);
                    quote!(Some(#r))
                }
                None => quote!(None),
            };
            let message_field = match &r.message_field {
                Some(m) => quote!(Some(#m)),
                None => quote!(None),
            };
            quote!(Some(#rt::ResultSpec {
                status: #status,
                code_field: #code_field,
                success_codes: &[#(#codes),*],
                success_rule: #success_rule,
                method_codes: &[#(#method_codes),*],
                method_rule: #method_rule,
                message_field: #message_field,
                catalog: #cat
            }))
        }
    };
    let samples = ep.samples.iter().map(|s| {
        let sid = &s.id;
        let part = part_tokens(s.part, rt);
        let raw = &s.raw;
        let source = &s.source;
        let evidence = &s.evidence;
        let expect = s.expect.iter().map(|(k, p)| quote!((#k, #p)));
        quote!(#rt::SampleSpec { id: #sid, part: #part, raw: #raw, source: #source, evidence: #evidence, expect: &[#(#expect),*] })
    });
    let method = &ep.method;
    let target = match &ep.url {
        UrlRule::Path(p) => quote!(#rt::Target::Path(#p)),
        UrlRule::AuthReturnUrl(f) => quote!(#rt::Target::AuthReturnUrl(#f)),
        UrlRule::PartnerUrl(f) => quote!(#rt::Target::PartnerUrl(#f)),
        UrlRule::Script(p) => quote!(#rt::Target::Script(#p)),
    };
    let auth_flow = &ep.auth_flow;
    let auth_flag = match &ep.auth_flag {
        Some((f, v)) => quote!(Some((#f, #v))),
        None => quote!(None),
    };
    let headers = ep.headers.iter().map(|(name, value, _)| {
        let value = match value {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        };
        quote!((#name, #value))
    });
    let legacy_paths = ep.legacy_paths.iter().map(|(p, _, _)| p);
    let idempotent = ep.idempotent;
    let limits = ep.limit_details.iter().map(|l| limit_tokens(l, rt));
    quote! {
        #rt::EndpointSpec {
            id: #id,
            service: #service,
            title_en: #title_en,
            title_ko: #title_ko,
            doc_url: #doc_url,
            request: &[#(#request),*],
            response: &[#(#response),*],
            payment_method_field: #method_field,
            result: #result,
            samples: &[#(#samples),*],
            method: #method,
            target: #target,
            auth_flow: #auth_flow,
            auth_flag: #auth_flag,
            headers: &[#(#headers),*],
            legacy_paths: &[#(#legacy_paths),*],
            idempotent: #idempotent,
            limits: &[#(#limits),*],
        }
    }
}

/// A limit as a `LimitSpec` literal.
fn limit_tokens(l: &crate::model::LimitDetail, rt: &TokenStream) -> TokenStream {
    let opt = |v: Option<&String>| match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let code = opt(l.code.as_ref());
    let situation = opt(l.situation.as_ref().map(|s| &s.id));
    let qualifiers = l
        .situation
        .iter()
        .flat_map(|s| &s.qualifiers)
        .map(|(k, op, vs)| {
            let op = if *op == '<' {
                quote!(#rt::QualifierOp::Below)
            } else {
                quote!(#rt::QualifierOp::OneOf)
            };
            quote!(#rt::Qualifier { key: #k, op: #op, values: &[#(#vs),*] })
        });
    let rate = match l.rate {
        Some((max, window)) => quote!(Some(#rt::RateLimit { max: #max, window_seconds: #window })),
        None => quote!(None),
    };
    quote!(#rt::LimitSpec { code: #code, situation: #situation, qualifiers: &[#(#qualifiers),*], rate: #rate })
}

/// The `Role` enum and the `ROLES` table.
fn roles_tables(spec: &Spec, rt: &TokenStream) -> TokenStream {
    let variants: Vec<Ident> = spec
        .roles
        .iter()
        .map(|r| Ident::new(&camel(&r.id), Span::call_site()))
        .collect();
    let docs = spec.roles.iter().map(|r| {
        let names = r
            .names
            .iter()
            .map(|(s, n)| format!("{s}: `{}`", n.join("`, `")))
            .collect::<Vec<_>>()
            .join("; ");
        let what = r.description.trim_end_matches('.');
        match &r.ko {
            Some(ko) => format!("{what} ({ko}). Names: {names}."),
            None => format!("{what}. Names: {names}."),
        }
    });
    let specs = spec.roles.iter().map(|r| {
        let (id, description) = (&r.id, &r.description);
        let ko = r.ko.as_deref().unwrap_or("");
        let names = r.names.iter().map(|(s, n)| quote!((#s, &[#(#n),*])));
        quote!(#rt::RoleSpec { id: #id, ko: #ko, description: #description, names: &[#(#names),*] })
    });
    let index = (0..spec.roles.len()).map(proc_macro2::Literal::usize_unsuffixed);
    let count = proc_macro2::Literal::usize_unsuffixed(spec.roles.len());
    quote! {
        /// Every field role of the spec, in `Role` order.
        #[doc(hidden)]
        pub static ROLES: &[#rt::RoleSpec] = &[#(#specs),*];

        /// What a field means across endpoints and services (`payple.yaml` `roles:`): code
        /// that needs "the order number" asks for `Role::OrderId` and gets the wire name
        /// the spec gives for the endpoint at hand.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Role {
            #(#[doc = #docs] #variants),*
        }

        impl Role {
            /// Every role.
            pub const ALL: [Role; #count] = [#(Role::#variants),*];

            /// The role's spec entry.
            pub fn spec(self) -> &'static #rt::RoleSpec {
                match self {
                    #(Role::#variants => &ROLES[#index]),*
                }
            }

            /// The most common name carrying the role in `service`.
            pub fn name(self, service: &str) -> Option<&'static str> {
                self.spec().names(service).first().copied()
            }

            /// The top-level field of an endpoint part carrying the role.
            pub fn field(self, ep: &#rt::EndpointSpec, part: #rt::Part) -> Option<&'static str> {
                ep.role_field(self.spec(), part)
            }
        }
    }
}

fn services_tables(spec: &Spec, rt: &TokenStream) -> TokenStream {
    let services = spec.services.iter().map(|s| {
        let id = &s.id;
        let title = &s.title.en;
        let envs = s.environments.iter().map(|e| {
            let name = &e.name;
            let url = &e.base_url;
            let prod = e.production;
            quote!(#rt::EnvironmentSpec { name: #name, base_url: #url, production: #prod })
        });
        let creds = s.test_credentials.iter().map(|(k, v)| quote!((#k, #v)));
        quote!(#rt::ServiceSpec { id: #id, title_en: #title, environments: &[#(#envs),*], test_credentials: &[#(#creds),*] })
    });
    let flows = spec.auth_flows.iter().map(|f| {
        let id = &f.id;
        let service = &f.service;
        let endpoint = match &f.endpoint {
            Some(e) => quote!(Some(#e)),
            None => quote!(None),
        };
        let kind = &f.kind;
        let lifetime = match f.lifetime_seconds {
            Some(l) => quote!(Some(#l)),
            None => quote!(None),
        };
        quote!(#rt::AuthFlowSpec { id: #id, service: #service, endpoint: #endpoint, kind: #kind, lifetime_seconds: #lifetime })
    });
    quote! {
        /// Every service with its hosts and public test account.
        #[doc(hidden)]
        pub static SERVICES: &[#rt::ServiceSpec] = &[#(#services),*];
        /// Every authentication flow.
        #[doc(hidden)]
        pub static AUTH_FLOWS: &[#rt::AuthFlowSpec] = &[#(#flows),*];
    }
}

/// A format piece as a literal.
fn piece_tokens(p: crate::datefmt::Piece, rt: &TokenStream) -> TokenStream {
    use crate::datefmt::Piece as P;
    match p {
        P::Digits => quote!(#rt::datefmt::Piece::Digits),
        P::Year => quote!(#rt::datefmt::Piece::Year),
        P::Month => quote!(#rt::datefmt::Piece::Month),
        P::Day => quote!(#rt::datefmt::Piece::Day),
        P::Hour => quote!(#rt::datefmt::Piece::Hour),
        P::Minute => quote!(#rt::datefmt::Piece::Minute),
        P::Second => quote!(#rt::datefmt::Piece::Second),
        P::Milli => quote!(#rt::datefmt::Piece::Milli),
        P::Literal(c) => quote!(#rt::datefmt::Piece::Literal(#c)),
    }
}

/// A [`Rule`] as a `RuleSource` literal.
fn rule_tokens(r: &Rule, rt: &TokenStream) -> TokenStream {
    let (e, s, d) = (&r.evidence, &r.source, r.documented);
    quote!(#rt::RuleSource { evidence: #e, source: #s, documented: #d })
}

fn applies_tokens(a: Applies, rt: &TokenStream) -> TokenStream {
    match a {
        Applies::Both => quote!(#rt::Applies::Both),
        Applies::Card => quote!(#rt::Applies::Card),
        Applies::Transfer => quote!(#rt::Applies::Transfer),
    }
}

/// The validator tables of one object's fields. `read_later` names the fields whose values
/// a rule reads after the object closes (besides condition targets, which are found here).
fn field_tables(fields: &[Field], read_later: &[&str], rt: &TokenStream) -> Vec<TokenStream> {
    let condition_target = |name: &str| {
        fields.iter().any(|f| {
            matches!(&f.required, Required::When(Condition { sibling: Some(s), .. }) if s.field == name)
        })
    };
    fields
        .iter()
        .map(|f| {
            let name = &f.name;
            let captured = read_later.contains(&name.as_str()) || condition_target(name);
            let legacy = f.legacy_names.iter().map(|l| &l.name);
            let top_pointers = std::iter::once(name)
                .chain(f.legacy_names.iter().map(|l| &l.name))
                .map(|n| format!("/{}", n.replace('~', "~0").replace('/', "~1")));
            let type_code = match &f.enforced_type {
                Some(t) => {
                    let n = &t.notation;
                    let mask = match t.mask {
                        Some(m) => quote!(Some(#m)),
                        None => quote!(None),
                    };
                    let max = match t.max_len {
                        Some(m) => quote!(Some(#m)),
                        None => quote!(None),
                    };
                    quote!(Some(#rt::TypeCode { notation: #n, mask: #mask, max_len: #max }))
                }
                None => quote!(None),
            };
            let required = match &f.required {
                Required::Always => quote!(#rt::Requirement::Always),
                Required::Never => quote!(#rt::Requirement::Never),
                Required::When(c) => {
                    let sibling = match &c.sibling {
                        None => quote!(None),
                        Some(sib) => {
                            let field = &sib.field;
                            // The loader rejects conditions on absent fields; an index past
                            // the end would make the condition never hold.
                            let index = fields
                                .iter()
                                .position(|s| s.name == *field)
                                .unwrap_or(usize::MAX);
                            let values = match sib.test.values() {
                                Some(vals) => quote!(Some(&[#(#vals),*])),
                                None => quote!(None),
                            };
                            let absent = sib.test == ConditionTest::Absent;
                            quote!(Some(#rt::Sibling { field: #field, index: #index, values: #values, absent: #absent }))
                        }
                    };
                    let on = match c.on {
                        Outcome::Any => quote!(#rt::Outcome::Any),
                        Outcome::Success => quote!(#rt::Outcome::Success),
                        Outcome::Error => quote!(#rt::Outcome::Error),
                    };
                    let method = applies_tokens(c.method, rt);
                    quote!(#rt::Requirement::When(#rt::Condition { sibling: #sibling, on: #on, method: #method }))
                }
            };
            let values_open = f.values_open.is_some();
            let values_rule = rule_tokens(&f.values_rule, rt);
            let format_rule = rule_tokens(&f.format_rule, rt);
            let type_rule = rule_tokens(&f.type_rule, rt);
            let required_rule = match &f.required_rule {
                Some(r) => {
                    let r = rule_tokens(r, rt);
                    quote!(Some(#r))
                }
                None => quote!(None),
            };
            let numeric = f.numeric;
            let required_contested = f.required_contested.is_some();
            let formats = f.formats.iter().map(|id| {
                let c = Ident::new(&format!("FORMAT_{}", id.to_uppercase()), Span::call_site());
                quote!(#c)
            });
            let applies = applies_tokens(f.applies, rt);
            let values = f.values.iter().map(|(v, _)| v);
            let sensitive = f.sensitive;
            let volatile = f.volatile;
            let shape = match f.shape {
                Shape::Scalar => quote!(#rt::FieldShape::Scalar),
                Shape::Object => {
                    let nested = field_tables(&f.fields, &[], rt);
                    quote!(#rt::FieldShape::Object(&[#(#nested),*]))
                }
                Shape::List => {
                    let nested = field_tables(&f.fields, &[], rt);
                    quote!(#rt::FieldShape::List(&[#(#nested),*]))
                }
            };
            quote! {
                #rt::FieldSpec {
                    name: #name,
                    legacy_names: &[#(#legacy),*],
                    type_code: #type_code,
                    required: #required,
                    applies: #applies,
                    values: &[#(#values),*],
                    values_open: #values_open,
                    formats: &[#(#formats),*],
                    numeric: #numeric,
                    required_contested: #required_contested,
                    rules: &#rt::FieldRules {
                        type_rule: #type_rule,
                        required_rule: #required_rule,
                        values_rule: #values_rule,
                        format_rule: #format_rule,
                        top_pointers: &[#(#top_pointers),*],
                    },
                    sensitive: #sensitive,
                    volatile: #volatile,
                    captured: #captured,
                    shape: #shape,
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            doc_links("see (ctx, https://a.example/x.md); and https://b.example/y."),
            "see (ctx, <https://a.example/x.md>); and <https://b.example/y>."
        );
        assert_eq!(doc_links("<https://a.example/>"), "<https://a.example/>");
        assert_eq!(
            doc_links("[a](https://a.example/)"),
            "[a](https://a.example/)"
        );
        assert_eq!(
            doc_links("no link, just https:// alone"),
            "no link, just https:// alone"
        );
        assert_eq!(
            doc_links("한국어 http://a.example/경로 끝"),
            "한국어 <http://a.example/경로> 끝"
        );
        assert_eq!(doc_links(""), "");
    }

    #[test]
    fn names() {
        assert_eq!(snake("PCD_PAY_TYPE"), "pcd_pay_type");
        assert_eq!(snake("AuthKey"), "auth_key");
        assert_eq!(snake("custKey"), "cust_key");
        assert_eq!(snake("cst_id"), "cst_id");
        assert_eq!(snake("type"), "type");
        assert_eq!(field_ident("type").to_string(), "r#type");
        assert_eq!(snake("extra"), "extra_");
        assert_eq!(snake("cPayHost"), "c_pay_host");
        assert_eq!(camel("PCD_PAY_TYPE"), "PcdPayType");
        assert_eq!(camel("list"), "List");
    }
}
