//! Launch-template user data: base64 → text → `shared::dsr::parse_user_data`. Bad input (not base64,
//! not UTF-8, too large) becomes `UserDataFlags.error`, never a panic or a lost nodegroup.

use base64::Engine as _;
use shared::snapshot::UserDataFlags;

/// Decoded user data larger than this is not parsed. EC2 itself caps user data at 16 KB before
/// base64 (EC2 User Guide, "Work with instance user data"), so anything bigger is not real user data.
pub const MAX_USER_DATA_BYTES: usize = 64 * 1024;

/// Decode launch-template user data (`LaunchTemplateData.UserData`, base64) and read its DSR flags.
/// `source` says where it came from, e.g. `lt-0abc version 3`.
pub fn decode_user_data(base64_text: &str, source: &str) -> UserDataFlags {
    // Some tools wrap base64 at 76 columns; the standard alphabet has no whitespace of its own.
    let compact: String = base64_text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let estimated_bytes = compact.len() / 4 * 3;
    if estimated_bytes > MAX_USER_DATA_BYTES {
        return unreadable(
            source,
            estimated_bytes,
            format!(
                "user data too large: about {estimated_bytes} bytes decoded, more than the {} KiB eniscope reads (EC2 allows 16 KB); DSR flags not read",
                MAX_USER_DATA_BYTES / 1024
            ),
        );
    }
    let bytes = match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
        Ok(bytes) => bytes,
        Err(e) => {
            return unreadable(
                source,
                0,
                format!(
                    "user data is not valid base64 ({e}); DSR flags not read: check the launch template's UserData"
                ),
            );
        }
    };
    let decoded_bytes = bytes.len();
    match String::from_utf8(bytes) {
        Ok(text) => {
            let mut flags = shared::dsr::parse_user_data(&text, source);
            flags.decoded_bytes = decoded_bytes as u64;
            flags
        }
        Err(_) => unreadable(
            source,
            decoded_bytes,
            "user data is not UTF-8 text (gzip-compressed or binary?); DSR flags not read"
                .to_string(),
        ),
    }
}

fn unreadable(source: &str, decoded_bytes: usize, error: String) -> UserDataFlags {
    UserDataFlags {
        source: source.to_string(),
        decoded_bytes: decoded_bytes as u64,
        error: Some(error),
        ..UserDataFlags::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn reads_the_seed_patch_from_base64() {
        let script = "<powershell>\n(Get-Content $f).replace('\"--proxy-mode=kernelspace\",', '\"--proxy-mode=kernelspace\", \"--feature-gates WinDSR=true\", \"--enable-dsr\",') | Set-Content $f\n& $EKSBootstrapScriptFile -EKSClusterName \"eks-windows\"\n</powershell>";
        let flags = decode_user_data(&encode(script.as_bytes()), "lt-1 version 1");
        assert_eq!(flags.error, None);
        assert!(flags.proxy_mode_patch, "{flags:?}");
        assert_eq!(flags.enable_dsr, Some(true));
        assert_eq!(flags.decoded_bytes, script.len() as u64);
        assert_eq!(flags.source, "lt-1 version 1");
    }

    #[test]
    fn wrapped_base64_is_accepted() {
        let text = "-KubeProxyExtraArgs '--enable-dsr=true' ".repeat(10);
        let wrapped: String = encode(text.as_bytes())
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned() + "\n")
            .collect();
        let flags = decode_user_data(&wrapped, "lt-2 version 1");
        assert_eq!(flags.error, None);
        assert_eq!(flags.enable_dsr, Some(true));
    }

    #[test]
    fn bad_user_data_is_recorded_not_fatal() {
        let not_base64 = decode_user_data("this is not base64!!", "lt-3 version 1");
        assert!(
            not_base64
                .error
                .as_deref()
                .is_some_and(|e| e.contains("not valid base64")),
            "{not_base64:?}"
        );
        assert_eq!(not_base64.enable_dsr, None);

        let not_utf8 = decode_user_data(
            &encode(&[0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe]),
            "lt-4 version 1",
        );
        assert!(
            not_utf8
                .error
                .as_deref()
                .is_some_and(|e| e.contains("not UTF-8")),
            "{not_utf8:?}"
        );
        assert_eq!(not_utf8.decoded_bytes, 6);

        let huge = decode_user_data(
            &encode(&vec![b'a'; MAX_USER_DATA_BYTES + 3]),
            "lt-5 version 1",
        );
        assert!(
            huge.error
                .as_deref()
                .is_some_and(|e| e.contains("too large")),
            "{huge:?}"
        );

        let empty = decode_user_data("", "lt-6 version 1");
        assert_eq!(empty.error, None);
        assert_eq!(empty.decoded_bytes, 0);
    }
}
