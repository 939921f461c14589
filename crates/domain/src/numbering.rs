//! Number patterns such as `RE-{YYYY}-{N:4}` and the reset rules of number ranges.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// When a number range starts counting from 1 again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetRule {
    Never,
    Yearly,
    Monthly,
}

impl ResetRule {
    pub fn as_str(self) -> &'static str {
        match self {
            ResetRule::Never => "never",
            ResetRule::Yearly => "yearly",
            ResetRule::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<ResetRule> {
        match s {
            "never" => Some(ResetRule::Never),
            "yearly" => Some(ResetRule::Yearly),
            "monthly" => Some(ResetRule::Monthly),
            _ => None,
        }
    }

    /// The counter period a document date falls into ("" for never, "2026", "2026-11").
    pub fn period(self, date: NaiveDate) -> String {
        match self {
            ResetRule::Never => String::new(),
            ResetRule::Yearly => format!("{:04}", date.year()),
            ResetRule::Monthly => format!("{:04}-{:02}", date.year(), date.month()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Year4,
    Year2,
    Month,
    Day,
    Counter { width: usize },
    CustomerNumber,
}

/// A parsed number pattern. Tokens: `{YYYY}`, `{YY}`, `{MM}`, `{DD}`, `{N}` or `{N:width}`
/// (the counter, required exactly once) and `{CUST}` (the customer number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPattern {
    source: String,
    tokens: Vec<Token>,
}

/// Why a pattern was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("unknown placeholder {{{0}}} (allowed: YYYY, YY, MM, DD, N, N:width, CUST)")]
    UnknownToken(String),
    #[error("unclosed '{{'")]
    Unclosed,
    #[error("must contain the counter {{N}} exactly once")]
    CounterCount,
    #[error("counter width must be 1 to 12")]
    BadWidth,
    #[error("literal text may only hold letters, digits and - _ / . # (found {0:?})")]
    BadLiteral(char),
    #[error("is longer than 40 characters")]
    TooLong,
    #[error("with reset rule '{0}' must contain {1}, or numbers would repeat")]
    MissingPeriod(&'static str, &'static str),
}

impl NumberPattern {
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        if source.chars().count() > 40 {
            return Err(PatternError::TooLong);
        }
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut chars = source.chars();
        while let Some(c) = chars.next() {
            if c == '{' {
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => name.push(ch),
                        None => return Err(PatternError::Unclosed),
                    }
                }
                tokens.push(match name.as_str() {
                    "YYYY" => Token::Year4,
                    "YY" => Token::Year2,
                    "MM" => Token::Month,
                    "DD" => Token::Day,
                    "CUST" => Token::CustomerNumber,
                    "N" => Token::Counter { width: 1 },
                    n if n.starts_with("N:") => {
                        let width: usize = n[2..].parse().map_err(|_| PatternError::BadWidth)?;
                        if !(1..=12).contains(&width) {
                            return Err(PatternError::BadWidth);
                        }
                        Token::Counter { width }
                    }
                    other => return Err(PatternError::UnknownToken(other.to_string())),
                });
            } else if c.is_ascii_alphanumeric() || "-_/.#".contains(c) {
                literal.push(c);
            } else {
                return Err(PatternError::BadLiteral(c));
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        if tokens
            .iter()
            .filter(|t| matches!(t, Token::Counter { .. }))
            .count()
            != 1
        {
            return Err(PatternError::CounterCount);
        }
        Ok(NumberPattern {
            source: source.to_string(),
            tokens,
        })
    }

    /// Checks that the pattern distinguishes the periods its reset rule counts in.
    pub fn check_reset(&self, reset: ResetRule) -> Result<(), PatternError> {
        let has = |f: fn(&Token) -> bool| self.tokens.iter().any(f);
        let has_year = has(|t| matches!(t, Token::Year4 | Token::Year2));
        let has_month = has(|t| matches!(t, Token::Month));
        match reset {
            ResetRule::Never => Ok(()),
            ResetRule::Yearly if !has_year => {
                Err(PatternError::MissingPeriod("yearly", "{YYYY} or {YY}"))
            }
            ResetRule::Monthly if !(has_year && has_month) => Err(PatternError::MissingPeriod(
                "monthly",
                "{YYYY} (or {YY}) and {MM}",
            )),
            _ => Ok(()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Renders the number for a counter value, a document date and a customer number.
    pub fn render(&self, counter: i64, date: NaiveDate, customer_number: &str) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(s) => out.push_str(s),
                Token::Year4 => out.push_str(&format!("{:04}", date.year())),
                Token::Year2 => out.push_str(&format!("{:02}", date.year() % 100)),
                Token::Month => out.push_str(&format!("{:02}", date.month())),
                Token::Day => out.push_str(&format!("{:02}", date.day())),
                Token::Counter { width } => out.push_str(&format!("{counter:0width$}")),
                Token::CustomerNumber => out.push_str(customer_number),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn renders_patterns() {
        let p = NumberPattern::parse("RE-{YYYY}-{N:4}").unwrap();
        assert_eq!(p.render(7, d("2026-11-26"), ""), "RE-2026-0007");
        assert_eq!(p.render(12345, d("2026-11-26"), ""), "RE-2026-12345");
        let p = NumberPattern::parse("{YY}{MM}/{CUST}/{N}").unwrap();
        assert_eq!(p.render(3, d("2027-01-05"), "K10002"), "2701/K10002/3");
    }

    #[test]
    fn rejects_bad_patterns() {
        assert_eq!(
            NumberPattern::parse("RE-{YYYY}"),
            Err(PatternError::CounterCount)
        );
        assert_eq!(
            NumberPattern::parse("{N}{N}"),
            Err(PatternError::CounterCount)
        );
        assert_eq!(
            NumberPattern::parse("RE-{FOO}-{N}"),
            Err(PatternError::UnknownToken("FOO".into()))
        );
        assert_eq!(NumberPattern::parse("RE-{N"), Err(PatternError::Unclosed));
        assert_eq!(
            NumberPattern::parse("RE {N}"),
            Err(PatternError::BadLiteral(' '))
        );
        assert_eq!(NumberPattern::parse("{N:0}"), Err(PatternError::BadWidth));
        assert_eq!(
            NumberPattern::parse("<script>{N}"),
            Err(PatternError::BadLiteral('<'))
        );
    }

    #[test]
    fn reset_rules_need_their_period() {
        let p = NumberPattern::parse("RE-{N:5}").unwrap();
        assert!(p.check_reset(ResetRule::Never).is_ok());
        assert!(p.check_reset(ResetRule::Yearly).is_err());
        let p = NumberPattern::parse("RE-{YYYY}-{N:5}").unwrap();
        assert!(p.check_reset(ResetRule::Yearly).is_ok());
        assert!(p.check_reset(ResetRule::Monthly).is_err());
        assert_eq!(ResetRule::Monthly.period(d("2026-03-09")), "2026-03");
        assert_eq!(ResetRule::Yearly.period(d("2026-03-09")), "2026");
        assert_eq!(ResetRule::Never.period(d("2026-03-09")), "");
    }
}
