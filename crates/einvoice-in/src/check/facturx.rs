//! Factur-X / ZUGFeRD 1.09 profile rules (MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED):
//! the cardinality asserts of each profile (which mirror the profile XSD, so a violation is
//! also an `XSD` finding) and the profile's copies of the EN 16931 rules under their
//! Factur-X ids (`FX-SCH-A-…`, `BR-FXEXT-…`), both generated from the official files.

pub mod data;

use super::profile::Profile;
use super::{Ctx, Out};
use crate::finding::{Finding, Severity};
use crate::read::xml::{all, is};

/// The Factur-X profile whose rules run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Minimum,
    BasicWl,
    Basic,
    En16931,
    Extended,
}

/// Which Factur-X profile rules apply: the declared profile for MINIMUM, BASIC WL, BASIC
/// and EXTENDED, and EN 16931 only for a CII inside a PDF (as the official wrapper does).
pub fn level(ctx: &Ctx<'_>, from_pdf: bool) -> Option<Level> {
    if ctx.ubl() {
        return None;
    }
    match ctx.profile {
        Profile::FxMinimum => Some(Level::Minimum),
        Profile::FxBasicWl => Some(Level::BasicWl),
        Profile::FxBasic => Some(Level::Basic),
        Profile::FxExtended => Some(Level::Extended),
        Profile::En16931 if from_pdf => Some(Level::En16931),
        _ => None,
    }
}

pub fn check(ctx: &Ctx<'_>, level: Level, en: &[Finding], out: &mut Out) {
    cardinality(ctx, level, out);
    // EXTENDED adds logistics service charges to BT-108 (BR-FXEXT-CO-11/12), which the EN
    // rules do not know: leave those two to the profile only when there are none.
    let logistics = ctx
        .root
        .descendants()
        .any(|n| is(n, "ram:SpecifiedLogisticsServiceCharge"));
    for f in en.iter().filter(|f| f.severity == Severity::Fatal) {
        if level == Level::Extended
            && logistics
            && matches!(f.rule.as_str(), "BR-CO-11" | "BR-CO-12")
        {
            continue;
        }
        let ext = f
            .rule
            .strip_prefix("BR-")
            .map(|r| format!("BR-FXEXT-{r}"))
            .filter(|x| level == Level::Extended && mapped(level).any(|(e, _)| e == x));
        if let Some(x) = ext {
            out.fatal(&x, &f.location, &f.message_de, &f.message_en);
            continue;
        }
        for (_, id) in mapped(level).filter(|(e, _)| *e == f.rule) {
            out.fatal(id, &f.location, &f.message_de, &f.message_en);
        }
    }
}

fn mapped(level: Level) -> impl Iterator<Item = (&'static str, &'static str)> {
    data::EN_MAP
        .iter()
        .filter(move |(l, _, _)| *l == level)
        .map(|(_, e, id)| (*e, *id))
}

/// Evaluates the generated cardinality asserts (`count(child) = n`, `<= n`, `>= n`).
fn cardinality(ctx: &Ctx<'_>, level: Level, out: &mut Out) {
    for (l, ctx_path, child, op, n, id) in data::CARD.iter() {
        if *l != level {
            continue;
        }
        let mut steps = ctx_path.trim_start_matches('/').splitn(2, '/');
        let first = steps.next().unwrap_or("");
        if !is(ctx.root, first) {
            continue;
        }
        let nodes = match steps.next() {
            Some(rest) => all(ctx.root, rest),
            None => vec![ctx.root],
        };
        for node in nodes {
            let count = node.children().filter(|c| is(*c, child)).count();
            let ok = match *op {
                "=" => count == *n,
                "<=" => count <= *n,
                _ => count >= *n,
            };
            if !ok {
                let loc = crate::read::xml::path_of(node);
                out.fatal(
                    id,
                    &loc,
                    &format!("Element '{child}' muss im Profil {n}-mal ({op}) vorkommen, kommt {count}-mal vor."),
                    &format!("Element '{child}' must occur {op} {n} times in this profile, found {count}."),
                );
                out.fatal(
                    "XSD",
                    &loc,
                    &format!("Das Profil-Schema verlangt '{child}' {op} {n}-mal."),
                    &format!("The profile schema requires '{child}' {op} {n} times."),
                );
            }
        }
    }
}
