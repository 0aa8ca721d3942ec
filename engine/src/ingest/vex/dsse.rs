//! DSSE envelopes (<https://github.com/secure-systems-lab/dsse>) around VEX documents, verified
//! against the public keys of a trust-roots directory (ed25519 and ECDSA P-256, PEM
//! `PUBLIC KEY` files).
//!
//! The envelope's payload is the VEX document itself, or an in-toto statement whose `predicate`
//! is (`payloadType` `application/vnd.in-toto+json`, as `vexctl attest` writes). A signature is
//! checked over DSSE's pre-authentication encoding of the payload type and the payload bytes.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What the signature of a statement's document says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureState {
    /// A signature verified with a key of the trust roots.
    Verified,
    /// Signed, but no signature verifies with any key of the trust roots.
    Invalid,
    /// Not in a DSSE envelope.
    Unsigned,
}

impl SignatureState {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureState::Verified => "verified",
            SignatureState::Invalid => "invalid",
            SignatureState::Unsigned => "unsigned",
        }
    }
}

impl fmt::Display for SignatureState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug)]
enum Key {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
}

/// A trusted public key and its fingerprint: `sha256:` and the hex sha256 of its DER
/// SubjectPublicKeyInfo (what `openssl pkey -pubin -outform DER | sha256sum` prints).
pub struct TrustedKey {
    pub fingerprint: String,
    key: Key,
}

/// The keys of a trust-roots directory.
#[derive(Default)]
pub struct TrustRoots {
    pub keys: Vec<TrustedKey>,
}

/// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo): its key and fingerprint.
fn read_public_key(pem: &str) -> Result<(Key, String), String> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN PUBLIC KEY-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    if body.is_empty() {
        return Err("no PEM \"PUBLIC KEY\" block".into());
    }
    let der = STANDARD
        .decode(body.as_bytes())
        .map_err(|e| format!("the PEM block is not base64: {e}"))?;
    let fingerprint = format!("sha256:{}", hex::encode(Sha256::digest(&der)));
    if let Ok(k) =
        <ed25519_dalek::VerifyingKey as ed25519_dalek::pkcs8::DecodePublicKey>::from_public_key_der(
            &der,
        )
    {
        return Ok((Key::Ed25519(k), fingerprint));
    }
    if let Ok(k) =
        <p256::ecdsa::VerifyingKey as p256::pkcs8::DecodePublicKey>::from_public_key_der(&der)
    {
        return Ok((Key::P256(k), fingerprint));
    }
    Err("not an ed25519 or ECDSA P-256 public key".into())
}

/// The key in the PEM file `path` and its fingerprint; an error names the file.
fn read_key_file(path: &Path) -> Result<(Key, String), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    read_public_key(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The fingerprint of the PEM public key in `path` (for the issuers file's `keys`).
pub fn fingerprint_file(path: &Path) -> Result<String, String> {
    read_key_file(path).map(|(_, f)| f)
}

impl TrustRoots {
    /// Every `*.pem` and `*.pub` file of `dir`; a file that is not a usable public key is an
    /// error naming it.
    pub fn load(dir: &Path) -> Result<TrustRoots, String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("trust roots {}: {e}", dir.display()))?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem" || x == "pub"))
            .collect();
        paths.sort();
        let mut keys = Vec::new();
        for path in paths {
            let (key, fingerprint) = read_key_file(&path).map_err(|e| format!("trust root {e}"))?;
            keys.push(TrustedKey { fingerprint, key });
        }
        if keys.is_empty() {
            return Err(format!(
                "trust roots {}: no *.pem or *.pub public key files",
                dir.display()
            ));
        }
        Ok(TrustRoots { keys })
    }
}

/// A DSSE envelope, decoded.
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    pub signatures: Vec<Vec<u8>>,
}

fn base64_any(s: &str) -> Option<Vec<u8>> {
    [STANDARD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s.trim().as_bytes()).ok())
}

/// The envelope `doc` is, if it has DSSE's shape (`payloadType`, `payload`, `signatures`);
/// an envelope whose fields cannot be decoded is an error.
pub fn envelope(doc: &Value) -> Option<Result<Envelope, String>> {
    let obj = doc.as_object()?;
    if !(obj.contains_key("payloadType") && obj.contains_key("payload")) {
        return None;
    }
    Some((|| {
        let payload_type = obj["payloadType"]
            .as_str()
            .ok_or("DSSE envelope: payloadType is not a string")?
            .to_string();
        let payload = obj["payload"]
            .as_str()
            .and_then(base64_any)
            .ok_or("DSSE envelope: payload is not base64 text")?;
        let mut signatures = Vec::new();
        for (i, s) in obj
            .get("signatures")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let sig = s
                .get("sig")
                .and_then(Value::as_str)
                .and_then(base64_any)
                .ok_or_else(|| format!("DSSE envelope: signatures[{i}].sig is not base64 text"))?;
            signatures.push(sig);
        }
        Ok(Envelope {
            payload_type,
            payload,
            signatures,
        })
    })())
}

/// DSSE's pre-authentication encoding: `DSSEv1 SP len(type) SP type SP len(body) SP body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// The verification of this envelope against `roots`: the state and, when verified, the
    /// fingerprint of the key that verified it.
    pub fn verify(&self, roots: &TrustRoots) -> (SignatureState, Option<String>) {
        if self.signatures.is_empty() {
            return (SignatureState::Unsigned, None);
        }
        let message = pae(&self.payload_type, &self.payload);
        for sig in &self.signatures {
            for k in &roots.keys {
                if verify_one(&k.key, &message, sig) {
                    return (SignatureState::Verified, Some(k.fingerprint.clone()));
                }
            }
        }
        (SignatureState::Invalid, None)
    }

    /// The VEX document the envelope carries: the payload, or its in-toto statement's
    /// `predicate`.
    pub fn document(&self) -> Result<Value, String> {
        let payload: Value = serde_json::from_slice(&self.payload)
            .map_err(|e| format!("DSSE payload is not JSON: {e}"))?;
        if payload.get("predicateType").is_some() || payload.get("_type").is_some() {
            return payload
                .get("predicate")
                .cloned()
                .ok_or_else(|| "in-toto statement in the DSSE payload has no predicate".into());
        }
        Ok(payload)
    }
}

fn verify_one(key: &Key, message: &[u8], sig: &[u8]) -> bool {
    use ed25519_dalek::Verifier as _;
    match key {
        Key::Ed25519(k) => {
            ed25519_dalek::Signature::from_slice(sig).is_ok_and(|s| k.verify(message, &s).is_ok())
        }
        Key::P256(k) => {
            use p256::ecdsa::signature::Verifier as _;
            let sig = p256::ecdsa::Signature::from_der(sig)
                .or_else(|_| p256::ecdsa::Signature::from_slice(sig));
            sig.is_ok_and(|s| k.verify(message, &s).is_ok())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_specification_example() {
        // From the DSSE protocol document: type "http://example.com/HelloWorld", body "hello world".
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn a_non_key_is_refused_with_a_reason() {
        assert!(read_public_key("hello").unwrap_err().contains("PUBLIC KEY"));
        let bogus = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        assert!(read_public_key(bogus).unwrap_err().contains("ed25519"));
    }
}
