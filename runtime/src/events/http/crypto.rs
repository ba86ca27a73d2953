//! The cryptography of HTTP deliveries (events.md §1.3, §1.4): AES-256-CBC decryption of
//! `{"encrypt": ...}` bodies and the SHA-256 request signature.
//!
//! Both official SDKs are lax here (Go keeps the bytes between the first `{` and the
//! last `}`, Python strips padding unchecked); this module validates every step and
//! says which one failed, so a tampered body is refused instead of half-read.

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Secret;

/// AES's block size: the IV's length and the unit of the ciphertext.
const BLOCK: usize = 16;

/// Why an `encrypt` value could not be decrypted. The variants say which step failed;
/// none of them carries the key or the plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecryptError {
    /// Not standard, padded base64.
    #[error("the encrypted value is not valid base64")]
    Base64,
    /// Shorter than an IV and one block, or not a whole number of blocks after the IV.
    #[error(
        "the encrypted value is {0} bytes: not a 16-byte IV followed by a non-zero multiple of 16 bytes"
    )]
    Length(usize),
    /// The PKCS#7 padding is wrong: a wrong key, or a tampered ciphertext.
    #[error("the decrypted value has invalid PKCS#7 padding (wrong key or tampered data)")]
    Padding,
    /// The plaintext is not UTF-8.
    #[error("the decrypted value is not UTF-8")]
    Utf8,
}

/// An Encrypt Key (or a quick-approval `action_callback_key`) ready for use: the key as
/// configured (the signature hashes it) and the AES-256 key derived from it once.
#[derive(Clone)]
pub struct EncryptKey {
    configured: Secret,
    aes: [u8; 32],
}

impl std::fmt::Debug for EncryptKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptKey(<redacted>)")
    }
}

impl EncryptKey {
    /// Derives the AES key: SHA-256 of the key's UTF-8 bytes, so a key of any length
    /// gives a 32-byte AES-256 key (events.md §1.3 step 2).
    pub fn new(key: impl Into<Secret>) -> Self {
        let configured = key.into();
        let aes = Sha256::digest(configured.expose().as_bytes()).into();
        Self { configured, aes }
    }

    /// Decrypts an `encrypt` value: base64, then the first 16 bytes as the IV and the
    /// rest as AES-256-CBC ciphertext, then validated PKCS#7 padding and UTF-8.
    pub fn decrypt(&self, encrypted: &str) -> Result<String, DecryptError> {
        let mut bytes = STANDARD
            .decode(encrypted.as_bytes())
            .map_err(|_| DecryptError::Base64)?;
        let len = bytes.len();
        if len < 2 * BLOCK || len % BLOCK != 0 {
            return Err(DecryptError::Length(len));
        }
        let (iv, ciphertext) = bytes.split_at_mut(BLOCK);
        let decryptor = cbc::Decryptor::<Aes256>::new_from_slices(&self.aes, iv)
            .map_err(|_| DecryptError::Length(len))?;
        let plaintext = decryptor
            .decrypt_padded::<Pkcs7>(ciphertext)
            .map_err(|_| DecryptError::Padding)?;
        let plaintext = plaintext.to_vec();
        String::from_utf8(plaintext).map_err(|_| DecryptError::Utf8)
    }

    /// Encrypts `plaintext` the way the platform does, with the given IV: what a test
    /// (or a fake platform) sends to a server configured with this key.
    pub fn encrypt(&self, iv: [u8; 16], plaintext: &[u8]) -> String {
        let padded_len = (plaintext.len() / BLOCK + 1) * BLOCK;
        let mut buf = vec![0u8; BLOCK + padded_len];
        buf[..BLOCK].copy_from_slice(&iv);
        buf[BLOCK..BLOCK + plaintext.len()].copy_from_slice(plaintext);
        let encryptor = cbc::Encryptor::<Aes256>::new(&self.aes.into(), &iv.into());
        let written = encryptor
            .encrypt_padded::<Pkcs7>(&mut buf[BLOCK..], plaintext.len())
            .map(<[u8]>::len);
        // The buffer is sized for the padding, so this cannot fail; stay total anyway.
        let written = written.unwrap_or(0);
        buf.truncate(BLOCK + written);
        STANDARD.encode(buf)
    }

    /// The request signature over `timestamp`, `nonce` and the raw `body`, as lowercase
    /// hex (events.md §1.4): SHA-256 of timestamp + nonce + this key + body.
    pub fn sign(&self, timestamp: &[u8], nonce: &[u8], body: &[u8]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(timestamp);
        hasher.update(nonce);
        hasher.update(self.configured.expose().as_bytes());
        hasher.update(body);
        to_hex(&hasher.finalize())
    }

    /// Whether `signature` is the signature of the request, compared in constant time
    /// so a forger learns nothing from how long the comparison took.
    pub fn verify(&self, timestamp: &[u8], nonce: &[u8], body: &[u8], signature: &[u8]) -> bool {
        let expected = self.sign(timestamp, nonce, body);
        constant_time_eq(expected.as_bytes(), signature)
    }
}

/// Compares two secrets in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official documentation's example (events.md §1.6).
    const DOC_CIPHERTEXT: &str = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=";

    #[test]
    fn the_documented_vector_decrypts_to_hello_world() {
        let key = EncryptKey::new("test key");
        assert_eq!(key.decrypt(DOC_CIPHERTEXT).unwrap(), "hello world");
    }

    #[test]
    fn encrypting_with_the_documented_iv_gives_the_documented_ciphertext() {
        let key = EncryptKey::new("test key");
        let raw = STANDARD.decode(DOC_CIPHERTEXT).unwrap();
        let iv: [u8; 16] = raw[..16].try_into().unwrap();
        assert_eq!(key.encrypt(iv, b"hello world"), DOC_CIPHERTEXT);
    }

    #[test]
    fn round_trips_every_length_around_the_block_size() {
        let key = EncryptKey::new("k");
        for len in 0..=48 {
            let plain = "x".repeat(len);
            let enc = key.encrypt([7; 16], plain.as_bytes());
            assert_eq!(key.decrypt(&enc).unwrap(), plain, "length {len}");
        }
    }

    #[test]
    fn the_signature_vector_matches() {
        let key = EncryptKey::new("test key");
        let body = br#"{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}"#;
        let expected = "0c09d96c2aef2ad08179b3967ea410bbc91dab24ce3aec05af962cf1935844af";
        assert_eq!(key.sign(b"1700000000", b"abc", body), expected);
        assert!(key.verify(b"1700000000", b"abc", body, expected.as_bytes()));
    }

    #[test]
    fn a_signature_fails_on_any_change() {
        let key = EncryptKey::new("test key");
        let body = br#"{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}"#;
        let good = key.sign(b"1700000000", b"abc", body);
        assert!(!key.verify(b"1700000001", b"abc", body, good.as_bytes()));
        assert!(!key.verify(b"1700000000", b"abd", body, good.as_bytes()));
        assert!(!key.verify(b"1700000000", b"abc", &body[1..], good.as_bytes()));
        assert!(!key.verify(b"1700000000", b"abc", body, good.to_uppercase().as_bytes()));
        assert!(!key.verify(b"1700000000", b"abc", body, &good.as_bytes()[1..]));
        assert!(!key.verify(b"1700000000", b"abc", body, b""));
        let other = EncryptKey::new("test key ");
        assert!(!other.verify(b"1700000000", b"abc", body, good.as_bytes()));
    }

    /// The ciphertext of the Go SDK's `TestDecryptEvent` (events.md §1.6).
    const GO_CIPHERTEXT: &str = "bZ3L7yh6m3Fkuffl4g+3uGjIHnhOm5fVZbKVuyT8t7tcd5ABMYm8l28/X900ZL3knZ7n+sCREu/H2WnIzft0amC7+xWqNH8o25IU63N4BnZWfHh+4hyG76QPd19vkw2bPJCx9aqxK8Nz+xqFNbk0RdgyWhmgd30jSxHtcQXAllkI7FMpGpOCteJad3bLXPDBQIV/xkCtKICCS7Z63gakpxZCLaRZ3qCXP1fapHh+LBIupxenrU6ysc7I3nHmjmKie41IiWwS5puG4zQHhVbq6KWLcgWm/3NBZOPQy53ucMu75SXA55I7jarVLZXWUcqBGrcgE3vouWbtwgZuzmoTQl0GSh5VYSVvpW992BuGxUWj0XjPYdICJm6Cr7xouNXwMcdb7N8caVdkdSZeEnswG19qSyDoQhklwzNGW0yiaayulBqJNjfge/G5V3401c2XaIuAeEIo+QQ4RSNpRGfnHkbu/j55FGQAGWjpuBNaIwZbaUoVP3NkGP+vM5rpEDe3sL2GN+Xsd+g9yBs7FqdMV8mXTGgLjCqjrPrke5/km76Q3Pe6KPs2YexMRG4MkSx3xUTzZnNn7zIzShPcjeSwBd2pxk6ht5N+fzueZdxl6Oo=";

    /// The body of the Go SDK's `mockEventReq`, byte for byte.
    const GO_BODY: &str = r#"{"schema":"2.0","header":{"event_id":"f7984f25108f8137722bb63cee927e66","event_type":"contact.user.created_v3","app_id":"cli_xxxxxxxx","tenant_key":"xxxxxxx","create_time":"1603977298000000","token":"v"},"event":{"object":{"open_id":"ou_7dab8a3d3cdcc9da365777c7ad535d62","union_id":"on_576833b917gda3d939b9a3c2d53e72c8","user_id":"e33ggbyz","name":"张三","employee_no":"employee_no"}},"challenge":"1212","type":"url_verification"}"#;

    #[test]
    fn the_go_sdk_vector_decrypts_to_its_432_byte_event() {
        let plain = EncryptKey::new("1212121212")
            .decrypt(GO_CIPHERTEXT)
            .unwrap();
        assert_eq!(plain.len(), 432);
        // The plaintext is the mock request's body: one fixture, two vectors.
        assert_eq!(plain, GO_BODY);
    }

    #[test]
    fn the_go_sdk_signature_vector_matches() {
        let key = EncryptKey::new("1212121212");
        assert_eq!(
            key.sign(b"timestamp", b"nonce", GO_BODY.as_bytes()),
            "4dca085198cb3216defc5b65b0668c1328b038a22dbadf2bc6c4fdc3d32bbc45"
        );
    }

    #[test]
    fn bad_padding_is_a_typed_error() {
        let key = EncryptKey::new("test key");
        let mut raw = STANDARD.decode(DOC_CIPHERTEXT).unwrap();
        // Flipping the IV's last byte flips the plaintext's last byte: 0x05 -> 0x04,
        // which is no longer five bytes of 0x05.
        raw[15] ^= 0x01;
        assert_eq!(
            key.decrypt(&STANDARD.encode(&raw)),
            Err(DecryptError::Padding)
        );
        // A padding byte of 0 and one larger than the block are refused too.
        let zero = key.encrypt([1; 16], &[b'a'; 16]);
        let mut raw = STANDARD.decode(zero).unwrap();
        let n = raw.len();
        raw[n - 17] ^= 0x10; // last plaintext byte 0x10 -> 0x00
        assert_eq!(
            key.decrypt(&STANDARD.encode(&raw)),
            Err(DecryptError::Padding)
        );
        raw[n - 17] ^= 0x10 ^ 0x01; // 0x10 -> 0x11: more than a block
        assert_eq!(
            key.decrypt(&STANDARD.encode(&raw)),
            Err(DecryptError::Padding)
        );
    }

    #[test]
    fn a_wrong_key_is_refused_not_misread() {
        let wrong = EncryptKey::new("another key");
        assert!(matches!(
            wrong.decrypt(DOC_CIPHERTEXT),
            Err(DecryptError::Padding | DecryptError::Utf8)
        ));
    }

    #[test]
    fn short_and_misaligned_input_is_a_length_error() {
        let key = EncryptKey::new("test key");
        for len in [0, 1, 15, 16, 17, 31, 33, 47] {
            let enc = STANDARD.encode(vec![0u8; len]);
            assert_eq!(key.decrypt(&enc), Err(DecryptError::Length(len)), "{len}");
        }
    }

    #[test]
    fn invalid_base64_is_refused() {
        let key = EncryptKey::new("test key");
        for bad in ["%%%", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk", "a b"] {
            assert_eq!(key.decrypt(bad), Err(DecryptError::Base64), "{bad}");
        }
    }

    #[test]
    fn keys_of_any_length_give_an_aes_256_key() {
        for key in ["", "k", "1212121212", &"long".repeat(1000), "密钥"] {
            let k = EncryptKey::new(key);
            let enc = k.encrypt([3; 16], b"{}");
            assert_eq!(k.decrypt(&enc).unwrap(), "{}");
        }
    }

    #[test]
    fn non_utf8_plaintext_is_refused() {
        let key = EncryptKey::new("k");
        let enc = key.encrypt([0; 16], &[0xff, 0xfe]);
        assert_eq!(key.decrypt(&enc), Err(DecryptError::Utf8));
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        assert!(!format!("{:?}", EncryptKey::new("hunter2")).contains("hunter2"));
    }
}
