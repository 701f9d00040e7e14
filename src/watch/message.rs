//! What a watch sends: the JSON of a message, its idempotency key, and the
//! signature of its bytes.
//!
//! A message is `{"watch", "query", "per", "delivery", "hits"}`; each hit is
//! a hit of `pressd search --format json`, its `story` (and `duplicate_of`
//! for a copy) included. The body is made once, when the
//! message enters the outbox, and stored: every attempt sends (and signs)
//! the same bytes with the same key, whatever restarts come between.
//!
//! The signature is HMAC-SHA256 of the exact body bytes with the watch's
//! secret, sent as `X-Pressd-Signature: sha256=<64 lowercase hex digits>`
//! (the form GitHub's and Miniflux's webhooks use), so a receiver checks
//! it before parsing anything.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::Watch;
use crate::index::Hit;

/// The header with the signature of the body.
pub const SIGNATURE_HEADER: &str = "X-Pressd-Signature";
/// The header with the idempotency key (also the body's `delivery`).
pub const DELIVERY_HEADER: &str = "X-Pressd-Delivery";
/// The header with the watch id.
pub const WATCH_HEADER: &str = "X-Pressd-Watch";

/// The JSON of `hit` as it is stored and sent.
pub fn hit_json(hit: &Hit) -> String {
    serde_json::to_string(hit).unwrap_or_else(|_| "{}".into())
}

/// A fresh idempotency key: 128 random bits in hex, unique across
/// restarts and stores (a counter would start over with a new store while
/// the receiver still remembers the old keys).
pub fn delivery_key() -> String {
    format!("{:032x}", fastrand::u128(..))
}

#[derive(serde::Serialize)]
struct Message<'a> {
    watch: &'a str,
    query: &'a str,
    per: &'a str,
    delivery: &'a str,
    hits: Vec<serde_json::Value>,
}

/// The body of message `key` of `watch` carrying `hits` (as [`hit_json`]
/// made them).
pub fn body(watch: &Watch, key: &str, hits: &[&str]) -> String {
    let hits = hits
        .iter()
        .map(|h| serde_json::from_str(h).unwrap_or(serde_json::Value::Null))
        .collect();
    serde_json::to_string(&Message {
        watch: &watch.id,
        query: &watch.query,
        per: watch.per.as_str(),
        delivery: key,
        hits,
    })
    .unwrap_or_else(|_| "{}".into())
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` with `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length; the error cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for b in bytes.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_rfc_4231_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn keys_differ() {
        let (a, b) = (delivery_key(), delivery_key());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
