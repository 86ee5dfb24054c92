//! payple-conformance: validate Payple bodies and replay recordings against the spec.
