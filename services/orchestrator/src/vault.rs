//! The credential vault: provider credentials and OAuth tokens encrypted at rest with
//! AES-256-GCM.
//!
//! Each sealed value records the id of the key that sealed it, so keys can be rotated: the
//! first configured key seals new values, and every configured key can open old ones. The
//! associated data binds a ciphertext to its owner (tenant, provider, name), so a sealed
//! value copied onto another row does not open.
//!
//! ```
//! use flux_orchestrator::vault::{Vault, MasterKey};
//! use secrecy::{ExposeSecret, SecretString};
//!
//! let vault = Vault::new(vec![MasterKey::generate("k1")]).unwrap();
//! let sealed = vault.seal(&SecretString::from("fan-password"), b"tenant-1/fancourier/main").unwrap();
//! assert_ne!(sealed.ciphertext, b"fan-password");
//! let opened = vault.open(&sealed, b"tenant-1/fancourier/main").unwrap();
//! assert_eq!(opened.expose_secret(), "fan-password");
//! assert!(vault.open(&sealed, b"tenant-2/fancourier/main").is_err());
//! ```

use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload, rand_core::RngCore};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use secrecy::{ExposeSecret, SecretString};

/// Why the vault refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The key configuration is malformed (never echoes key material).
    #[error("invalid master key configuration: {0}")]
    InvalidKeys(String),
    /// The sealed value names a key this process does not have.
    #[error("the secret was sealed with key {0:?}, which is not configured")]
    UnknownKey(String),
    /// Decryption failed: wrong key, tampered data, or a value moved to another owner.
    #[error("the secret could not be opened (wrong key, tampered data, or another owner)")]
    Open,
    /// Encryption failed.
    #[error("the secret could not be sealed")]
    Seal,
    /// The key file could not be read or written.
    #[error("master key file {path}: {message}")]
    KeyFile {
        /// The file.
        path: String,
        /// What happened.
        message: String,
    },
}

/// One AES-256 key with its id.
#[derive(Clone)]
pub struct MasterKey {
    id: String,
    key: Key<Aes256Gcm>,
}

impl MasterKey {
    /// A key from 32 bytes.
    pub fn from_bytes(id: impl Into<String>, bytes: &[u8]) -> Result<Self, VaultError> {
        if bytes.len() != 32 {
            return Err(VaultError::InvalidKeys(format!(
                "a key must be 32 bytes, this one is {}",
                bytes.len()
            )));
        }
        let id = id.into();
        if id.is_empty()
            || id.len() > 32
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(VaultError::InvalidKeys(
                "a key id is 1 to 32 letters, digits, '-' or '_'".into(),
            ));
        }
        Ok(Self {
            id,
            key: *Key::<Aes256Gcm>::from_slice(bytes),
        })
    }

    /// A new random key.
    pub fn generate(id: impl Into<String>) -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self {
            id: id.into(),
            key: *Key::<Aes256Gcm>::from_slice(&bytes),
        }
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `id:base64`, the configuration form (this exposes the key: write it only to a
    /// protected file).
    pub fn to_config_string(&self) -> SecretString {
        SecretString::from(format!("{}:{}", self.id, B64.encode(self.key.as_slice())))
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({}, [redacted])", self.id)
    }
}

/// Parses `id:base64,id2:base64`.
pub fn parse_master_keys(config: &SecretString) -> Result<Vec<MasterKey>, VaultError> {
    let mut keys = Vec::new();
    for (i, part) in config
        .expose_secret()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let (id, b64) = part.split_once(':').ok_or_else(|| {
            VaultError::InvalidKeys(format!("key #{} is not in the form id:base64", i + 1))
        })?;
        let bytes = B64
            .decode(b64.trim())
            .map_err(|_| VaultError::InvalidKeys(format!("key {id:?} is not valid base64")))?;
        keys.push(MasterKey::from_bytes(id.trim(), &bytes)?);
    }
    if keys.is_empty() {
        return Err(VaultError::InvalidKeys("no key given".into()));
    }
    Ok(keys)
}

/// Loads the keys from `data_dir/master.key`, creating the file with a new key (mode 0600)
/// when it does not exist. For local use; production passes `FLUX_MASTER_KEYS`.
pub fn load_or_create_key_file(data_dir: &Path) -> Result<Vec<MasterKey>, VaultError> {
    let path = data_dir.join("master.key");
    let err = |message: String| VaultError::KeyFile {
        path: path.display().to_string(),
        message,
    };
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| err(e.to_string()))?;
        return parse_master_keys(&SecretString::from(text));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| err(e.to_string()))?;
    let key = MasterKey::generate(format!("local-{}", chrono::Utc::now().format("%Y%m%d")));
    write_private_file(&path, key.to_config_string().expose_secret().as_bytes())
        .map_err(|e| err(e.to_string()))?;
    tracing::warn!(path = %path.display(), "generated a new master key for the credential vault; back it up, or set FLUX_MASTER_KEYS in production");
    Ok(vec![key])
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// A sealed secret as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Which key sealed it.
    pub key_id: String,
    /// The 96-bit nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext with the GCM tag.
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Sealed(key {}, {} bytes)",
            self.key_id,
            self.ciphertext.len()
        )
    }
}

/// Seals and opens secrets with the configured master keys.
#[derive(Clone)]
pub struct Vault {
    keys: Vec<MasterKey>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(MasterKey::id).collect();
        f.debug_struct("Vault").field("key_ids", &ids).finish()
    }
}

impl Vault {
    /// A vault; the first key seals new secrets.
    pub fn new(keys: Vec<MasterKey>) -> Result<Self, VaultError> {
        if keys.is_empty() {
            return Err(VaultError::InvalidKeys("no key given".into()));
        }
        Ok(Self { keys })
    }

    /// The id of the key new secrets are sealed with.
    pub fn active_key_id(&self) -> &str {
        self.keys[0].id()
    }

    /// Encrypts `secret`, binding it to `owner` (associated data).
    pub fn seal(&self, secret: &SecretString, owner: &[u8]) -> Result<Sealed, VaultError> {
        let key = &self.keys[0];
        let cipher = Aes256Gcm::new(&key.key);
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.expose_secret().as_bytes(),
                    aad: owner,
                },
            )
            .map_err(|_| VaultError::Seal)?;
        Ok(Sealed {
            key_id: key.id.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Decrypts a sealed secret for `owner`.
    pub fn open(&self, sealed: &Sealed, owner: &[u8]) -> Result<SecretString, VaultError> {
        let key = self
            .keys
            .iter()
            .find(|k| k.id == sealed.key_id)
            .ok_or_else(|| VaultError::UnknownKey(sealed.key_id.clone()))?;
        if sealed.nonce.len() != 12 {
            return Err(VaultError::Open);
        }
        let cipher = Aes256Gcm::new(&key.key);
        let plain = cipher
            .decrypt(
                Nonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: owner,
                },
            )
            .map_err(|_| VaultError::Open)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| VaultError::Open)
    }

    /// Whether `sealed` should be re-sealed with the active key (rotation).
    pub fn needs_rotation(&self, sealed: &Sealed) -> bool {
        sealed.key_id != self.active_key_id()
    }
}

/// How a secret is shown through the API: never in full. Long values keep their last
/// four characters so a person can tell two credentials apart.
pub fn mask(secret: &SecretString) -> String {
    let s = secret.expose_secret();
    let chars: Vec<char> = s.chars().collect();
    if chars.len() >= 12 {
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("••••{tail}")
    } else {
        "••••".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_opens_old_values_and_seals_with_the_new_key() {
        let old = MasterKey::generate("k1");
        let v1 = Vault::new(vec![old.clone()]).unwrap();
        let sealed = v1.seal(&SecretString::from("secret-1"), b"o").unwrap();
        let v2 = Vault::new(vec![MasterKey::generate("k2"), old]).unwrap();
        assert_eq!(v2.open(&sealed, b"o").unwrap().expose_secret(), "secret-1");
        assert!(v2.needs_rotation(&sealed));
        let resealed = v2.seal(&SecretString::from("secret-1"), b"o").unwrap();
        assert_eq!(resealed.key_id, "k2");
        let v3 = Vault::new(vec![MasterKey::generate("k3")]).unwrap();
        assert!(matches!(
            v3.open(&sealed, b"o"),
            Err(VaultError::UnknownKey(_))
        ));
    }

    #[test]
    fn tampering_is_detected() {
        let v = Vault::new(vec![MasterKey::generate("k1")]).unwrap();
        let mut sealed = v.seal(&SecretString::from("abc"), b"o").unwrap();
        sealed.ciphertext[0] ^= 1;
        assert!(matches!(v.open(&sealed, b"o"), Err(VaultError::Open)));
    }

    #[test]
    fn key_config_parses_and_never_echoes_material() {
        let k = MasterKey::generate("prod-2026");
        let config = k.to_config_string();
        let keys = parse_master_keys(&config).unwrap();
        assert_eq!(keys[0].id(), "prod-2026");
        assert!(!format!("{keys:?}").contains(&config.expose_secret()[10..]));
        let err = parse_master_keys(&SecretString::from("k1:AAAA")).unwrap_err();
        assert!(err.to_string().contains("32 bytes"));
    }

    #[test]
    fn masks_keep_at_most_four_characters() {
        assert_eq!(
            mask(&SecretString::from("shpat_1234567890abcd")),
            "••••abcd"
        );
        assert_eq!(mask(&SecretString::from("short")), "••••");
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = std::env::temp_dir().join(format!("flux-vault-{}", uuid::Uuid::new_v4()));
        let a = load_or_create_key_file(&dir).unwrap();
        let b = load_or_create_key_file(&dir).unwrap();
        assert_eq!(a[0].id(), b[0].id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
