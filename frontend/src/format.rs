//! Number formatting for the UI: grouped digits, signed deltas, plurals. Presentation only; the
//! numbers themselves come from `shared`.

/// `1234567` → `1,234,567`.
pub fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `+12`, `−3` (true minus sign), `±0`.
pub fn signed(delta: i64) -> String {
    match delta {
        0 => "±0".to_string(),
        d if d > 0 => format!("+{}", grouped(d.unsigned_abs())),
        d => format!("−{}", grouped(d.unsigned_abs())),
    }
}

/// `1 node`, `3 nodes`.
pub fn count(value: u64, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        grouped(value),
        if value == 1 { singular } else { plural }
    )
}

/// `8,192 MiB` → `8 GiB`; non-whole GiB keep one decimal (`0.5 GiB`).
pub fn memory_gib(mib: u64) -> String {
    if mib.is_multiple_of(1024) {
        format!("{} GiB", grouped(mib / 1024))
    } else {
        let tenths = (mib * 10).div_ceil(1024);
        format!("{}.{} GiB", tenths / 10, tenths % 10)
    }
}
