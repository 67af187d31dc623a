//! Identifiers that validate themselves: enterprise numbers, national register numbers,
//! e-mail addresses, keys, and the opaque ids Habilis gives to what it stores.
//!
//! A value of these types cannot exist invalid: every constructor that takes outside input
//! checks it, so nothing downstream validates again.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::{InvalidCode, InvalidInput};

/// Belgian enterprise number (BCE/KBO): ten digits, the first 0 or 1, the last two
/// `97 - (first eight mod 97)`. Stored as the ten digits.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnterpriseNumber(String);

impl EnterpriseNumber {
    /// Accepts `0566.988.259`, `0566988259`, `BE0566988259` and the old nine-digit form.
    pub fn parse(input: &str) -> Result<EnterpriseNumber, InvalidInput> {
        let invalid = || {
            InvalidInput::new(
                "enterprise_number",
                InvalidCode::InvalidEnterpriseNumber,
                input,
            )
        };
        let trimmed = input.trim();
        let without_country = trimmed
            .strip_prefix("BE")
            .or_else(|| trimmed.strip_prefix("be"))
            .unwrap_or(trimmed);
        let mut digits = String::with_capacity(10);
        for character in without_country.chars() {
            match character {
                '0'..='9' => digits.push(character),
                '.' | ' ' | '-' => {}
                _ => return Err(invalid()),
            }
        }
        if digits.len() == 9 {
            digits.insert(0, '0');
        }
        if digits.len() != 10 || !(digits.starts_with('0') || digits.starts_with('1')) {
            return Err(invalid());
        }
        let (body, check) = digits.split_at(8);
        let body: u64 = body.parse().map_err(|_| invalid())?;
        let check: u64 = check.parse().map_err(|_| invalid())?;
        if 97 - body % 97 != check {
            return Err(invalid());
        }
        Ok(EnterpriseNumber(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// Builds a valid number from its first eight digits (used by generators and tests).
    pub fn from_body(body: u32) -> Option<EnterpriseNumber> {
        let body = u64::from(body);
        if body >= 20_000_000 {
            return None;
        }
        let check = 97 - body % 97;
        Some(EnterpriseNumber(format!("{body:08}{check:02}")))
    }
}

impl fmt::Display for EnterpriseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = &self.0;
        match (digits.get(0..4), digits.get(4..7), digits.get(7..10)) {
            (Some(a), Some(b), Some(c)) => write!(f, "{a}.{b}.{c}"),
            _ => f.write_str(digits),
        }
    }
}

impl fmt::Debug for EnterpriseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl TryFrom<String> for EnterpriseNumber {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EnterpriseNumber::parse(&value)
    }
}

impl From<EnterpriseNumber> for String {
    fn from(value: EnterpriseNumber) -> String {
        value.0
    }
}

/// Belgian national register number or BIS number (NISS/INSZ): eleven digits
/// `YYMMDDSSSCC`, where `CC = 97 - (YYMMDDSSS mod 97)`, computed on `2YYMMDDSSS` for births
/// from 2000 on. BIS numbers add 20 or 40 to the month and may carry a zero month or day.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationalNumber(String);

impl NationalNumber {
    /// Accepts `90.02.01-997.04`, `90020199704` and similar punctuation.
    pub fn parse(input: &str) -> Result<NationalNumber, InvalidInput> {
        let invalid =
            || InvalidInput::new("national_number", InvalidCode::InvalidNationalNumber, input);
        let mut digits = String::with_capacity(11);
        for character in input.trim().chars() {
            match character {
                '0'..='9' => digits.push(character),
                '.' | ' ' | '-' => {}
                _ => return Err(invalid()),
            }
        }
        if digits.len() != 11 {
            return Err(invalid());
        }
        let (body, check) = digits.split_at(9);
        let body: u64 = body.parse().map_err(|_| invalid())?;
        let check: u64 = check.parse().map_err(|_| invalid())?;
        let born_before_2000 = 97 - body % 97 == check;
        let born_from_2000 = 97 - (2_000_000_000 + body) % 97 == check;
        if !born_before_2000 && !born_from_2000 {
            return Err(invalid());
        }
        let month = (body / 100_000) % 100;
        let day = (body / 1_000) % 100;
        let plain_month = match month {
            0..=12 => month,
            20..=32 => month - 20,
            40..=52 => month - 40,
            _ => return Err(invalid()),
        };
        let is_bis = month >= 20;
        // A national register number always has a real month and day; a BIS number may not.
        if day > 31 || (!is_bis && (plain_month == 0 || day == 0)) {
            return Err(invalid());
        }
        Ok(NationalNumber(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// True for BIS numbers (people known to social security but not to the national register).
    pub fn is_bis(&self) -> bool {
        matches!(
            self.0.get(2..4).and_then(|m| m.parse::<u32>().ok()),
            Some(20..=52)
        )
    }

    /// Builds a valid number (born before 2000) from a date and a sequence number; for
    /// generators and tests.
    pub fn from_parts(year: u32, month: u32, day: u32, sequence: u32) -> Option<NationalNumber> {
        if year > 99 || month > 12 || day > 31 || sequence > 999 {
            return None;
        }
        let body = u64::from(year) * 10_000_000
            + u64::from(month) * 100_000
            + u64::from(day) * 1_000
            + u64::from(sequence);
        let check = 97 - body % 97;
        NationalNumber::parse(&format!("{body:09}{check:02}")).ok()
    }
}

impl fmt::Display for NationalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        match (
            d.get(0..2),
            d.get(2..4),
            d.get(4..6),
            d.get(6..9),
            d.get(9..11),
        ) {
            (Some(y), Some(m), Some(day), Some(s), Some(c)) => write!(f, "{y}.{m}.{day}-{s}.{c}"),
            _ => f.write_str(d),
        }
    }
}

impl fmt::Debug for NationalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl TryFrom<String> for NationalNumber {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        NationalNumber::parse(&value)
    }
}

impl From<NationalNumber> for String {
    fn from(value: NationalNumber) -> String {
        value.0
    }
}

/// An e-mail address, lower-cased. Checked for shape only: one `@`, a non-empty local part,
/// a domain with a dot, no spaces.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, InvalidInput> {
        let invalid = || InvalidInput::new("email", InvalidCode::InvalidEmail, input);
        let value = input.trim().to_lowercase();
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && domain.len() >= 3
            && domain.len() <= 253
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(invalid());
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

/// A name chosen by people for something of an application: the application's key, a role,
/// a permission (action), a subject-matter, a category, a resource type. At most 128
/// characters, no white space or control characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Key(String);

impl Key {
    pub const MAX_LEN: usize = 128;

    pub fn parse(field: &'static str, input: &str) -> Result<Key, InvalidInput> {
        let ok = !input.is_empty()
            && input.chars().count() <= Key::MAX_LEN
            && !input.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Key(input.to_owned()))
        } else {
            Err(InvalidInput::new(field, InvalidCode::InvalidKey, input))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl TryFrom<String> for Key {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Key::parse("key", &value)
    }
}

impl From<Key> for String {
    fn from(value: Key) -> String {
        value.0
    }
}

impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Declares an opaque id newtype over a string. Ids are made by `habilis-core` (random) or
/// read back from the store; their text never needs validating beyond its length.
macro_rules! opaque_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix every generated id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            pub fn new(value: impl Into<String>) -> $name {
                $name(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// True when `text` has the shape of an id of this kind.
            pub fn looks_like(text: &str) -> bool {
                text.starts_with($prefix) && text.len() <= 64
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

opaque_id!(
    /// Habilis's own id of an organisation.
    OrganizationId,
    "org_"
);
opaque_id!(
    /// Habilis's own id of a user.
    UserId,
    "usr_"
);
opaque_id!(GrantId, "grt_");
opaque_id!(DesignationId, "dsg_");
opaque_id!(MandateId, "mnd_");
opaque_id!(ApprovalId, "apr_");
opaque_id!(SuspensionId, "sus_");
opaque_id!(ReviewId, "rev_");

#[cfg(test)]
mod tests;
