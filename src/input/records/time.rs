//! Timestamps of call records: ISO 8601 with `Z` or an offset, or epoch
//! seconds, read into epoch seconds and the offset of the local time they
//! were written in (so that intervals of the day are the caller's).

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// A timestamp: epoch seconds and the offset east of UTC it was written
/// with (0 for `Z` and for epoch seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub epoch: f64,
    /// Offset of the writer's local time, seconds east of UTC.
    pub offset: i32,
}

/// Reads `2026-03-02T08:15:00Z`, `2026-03-02T08:15:00.250+01:00`,
/// `2026-03-02 08:15:00`, or epoch seconds (`1772439300`, `1772439300.25`).
/// A date and time without an offset is taken as UTC.
pub fn parse(text: &str) -> Result<Stamp, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("an empty time".into());
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let epoch: f64 = s.parse().map_err(|_| format!("\"{s}\" is not a time"))?;
        // Milliseconds since the epoch are written by some exports.
        let epoch = if epoch > 1e11 { epoch / 1000.0 } else { epoch };
        return Ok(Stamp { epoch, offset: 0 });
    }
    let bad = || format!("\"{s}\" is not a time (ISO 8601 such as 2026-03-02T08:15:00Z, or epoch seconds)");
    let b = s.as_bytes();
    if b.len() < 16
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ' || b[10] == b't')
        || b[13] != b':'
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok()).ok_or_else(bad);
    let (y, mo, d, h, mi) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?);
    let mut i = 16;
    let mut sec = 0.0;
    if b.get(16) == Some(&b':') {
        let end = s[17..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(s.len(), |k| 17 + k);
        sec = s[17..end].parse::<f64>().map_err(|_| bad())?;
        i = end;
    }
    let rest = &s[i..];
    let offset = match rest {
        "" => 0,
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(bad()),
            };
            let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 && digits.len() != 2 {
                return Err(bad());
            }
            let oh: i32 = digits[..2].parse().map_err(|_| bad())?;
            let om: i32 = if digits.len() == 4 {
                digits[2..].parse().map_err(|_| bad())?
            } else {
                0
            };
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    if !(1..=12).contains(&mo) || d == 0 || d > 31 || h > 24 || mi > 59 || !(0.0..61.0).contains(&sec) {
        return Err(bad());
    }
    let days = days_from_civil(i64::from(y), mo, d);
    let local = days as f64 * 86400.0 + f64::from(h * 3600 + mi * 60) + sec;
    Ok(Stamp {
        epoch: local - f64::from(offset),
        offset,
    })
}

/// `epoch` as ISO 8601 in UTC with milliseconds: `2026-01-05T08:00:12.345Z`.
pub fn iso(epoch: f64) -> String {
    let ms = (epoch * 1000.0).round() as i64;
    let (secs, ms) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, tod) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        tod / 3600,
        tod / 60 % 60,
        tod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_offsets_move_the_instant() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 1, 5), 20_458);
        for z in [-1000, 0, 20_458, 100_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        let a = parse("2026-01-05T09:00:00+01:00").unwrap();
        let b = parse("2026-01-05T08:00:00Z").unwrap();
        assert_eq!(a.epoch, b.epoch);
        assert_eq!(a.offset, 3600);
        assert_eq!(parse("1767600000").unwrap().epoch, 1_767_600_000.0);
        assert_eq!(parse("1767600000000").unwrap().epoch, 1_767_600_000.0);
        assert_eq!(iso(b.epoch), "2026-01-05T08:00:00.000Z");
        assert!(parse("yesterday").is_err());
        assert!(parse("2026-13-05T08:00:00Z").is_err());
    }
}
