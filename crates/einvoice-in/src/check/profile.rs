//! The declared profile (BT-24) and what follows from it: which rule sets apply, the
//! `PROFILE` findings for missing or unsupported identifiers, and the KoSIT XRechnung
//! scenario severity overrides (`customLevel`, validator-configuration-xrechnung 2026-01-31).

use super::Out;
use crate::finding::{Finding, Severity};
use crate::read::Syntax;

pub const XR_SPEC: &str = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
pub const XR_EXT: &str = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0";
pub const XR_CVD: &str = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0#compliant#urn:xeinkauf.de:kosit:xrechnung:cvd_0.9";

/// The XRechnung 3.0 variants, each a KoSIT scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrVariant {
    Standard,
    Extension,
    Cvd,
}

/// The profile a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    XRechnung(XrVariant),
    /// An XRechnung identifier of another version (1.2, 2.x): rejected with `PROFILE`.
    XRechnungUnsupported,
    FxMinimum,
    FxBasicWl,
    FxBasic,
    En16931,
    FxExtended,
    Peppol,
    /// Some other CIUS or extension of EN 16931.
    OtherCius,
    Unknown,
    None,
}

impl Profile {
    /// Detects the profile from the specification identifier, as the official wrapper does.
    pub fn detect(syntax: Syntax, guideline: Option<&str>) -> Profile {
        let g = guideline.unwrap_or("");
        if g.contains("xeinkauf.de:kosit") || g.contains("xoev-de:kosit:standard:xrechnung") {
            return match g {
                XR_SPEC => Profile::XRechnung(XrVariant::Standard),
                XR_EXT => Profile::XRechnung(XrVariant::Extension),
                XR_CVD => Profile::XRechnung(XrVariant::Cvd),
                _ => Profile::XRechnungUnsupported,
            };
        }
        if syntax == Syntax::Cii {
            match g {
                "urn:factur-x.eu:1p0:minimum" => return Profile::FxMinimum,
                "urn:factur-x.eu:1p0:basicwl" => return Profile::FxBasicWl,
                "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic" => {
                    return Profile::FxBasic;
                }
                "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended" => {
                    return Profile::FxExtended;
                }
                _ => {}
            }
        }
        if g == "urn:cen.eu:en16931:2017" {
            Profile::En16931
        } else if g.contains("urn:fdc:peppol.eu:2017:poacc:billing") {
            Profile::Peppol
        } else if g.starts_with("urn:cen.eu:en16931:2017") {
            Profile::OtherCius
        } else if g.is_empty() {
            Profile::None
        } else {
            Profile::Unknown
        }
    }

    pub fn xrechnung(self) -> Option<XrVariant> {
        match self {
            Profile::XRechnung(v) => Some(v),
            _ => None,
        }
    }

    /// `true` when the CEN EN 16931 schematron runs.
    pub fn runs_en16931(self, syntax: Syntax) -> bool {
        syntax.is_ubl()
            || !matches!(
                self,
                Profile::FxMinimum | Profile::FxBasicWl | Profile::FxExtended
            )
    }

    /// The `PROFILE` findings of the wrapper's detector.
    pub fn report(self, syntax: Syntax, guideline: Option<&str>, out: &mut Out) {
        let g = guideline.unwrap_or("");
        match self {
            Profile::None => out.fatal(
                "PROFILE",
                "",
                "Keine Spezifikationskennung (BT-24, UBL cbc:CustomizationID / CII GuidelineSpecifiedDocumentContextParameter/ram:ID).",
                "No specification identifier (BT-24, UBL cbc:CustomizationID / CII GuidelineSpecifiedDocumentContextParameter/ram:ID).",
            ),
            Profile::XRechnungUnsupported => out.fatal(
                "PROFILE",
                "",
                &format!("Die XRechnung-Kennung '{g}' ist keine XRechnung-3.0-Kennung; geprüft wird nach XRechnung 3.0.x."),
                &format!("XRechnung identifier '{g}' is not one of the XRechnung 3.0 identifiers; these rules are XRechnung 3.0.x."),
            ),
            Profile::Unknown | Profile::OtherCius => out.warning(
                "PROFILE",
                "",
                &format!("Unbekannte Spezifikationskennung '{g}': nur die EN-16931-Regeln wurden angewandt."),
                &format!("Unknown specification identifier '{g}': only EN 16931 rules applied."),
            ),
            _ => {}
        }
        let fx_in_ubl = syntax.is_ubl()
            && matches!(
                g,
                "urn:factur-x.eu:1p0:minimum"
                    | "urn:factur-x.eu:1p0:basicwl"
                    | "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"
                    | "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"
            );
        if fx_in_ubl {
            out.fatal(
                "PROFILE",
                "",
                &format!("Factur-X-Profilkennung '{g}' in einem UBL-Dokument."),
                &format!("Factur-X profile identifier '{g}' in a UBL document."),
            );
        }
    }

    /// The KoSIT `customLevel` overrides for this scenario.
    fn levels(self, syntax: Syntax) -> &'static [(&'static str, Severity)] {
        use Severity::{Fatal as E, Info as I, Warning as W};
        let Some(v) = self.xrechnung() else {
            return &[];
        };
        match (syntax, v) {
            (Syntax::UblInvoice, XrVariant::Standard) => {
                &[("BR-CL-23", W), ("BR-CL-21", W), ("UBL-CR-646", E)]
            }
            (Syntax::UblCreditNote, XrVariant::Standard) => &[("BR-CL-23", W), ("BR-CL-21", W)],
            (Syntax::UblInvoice | Syntax::UblCreditNote, XrVariant::Extension) => &[
                ("BR-CL-21", I),
                ("BR-CL-23", W),
                ("BR-CL-24", I),
                ("BR-CL-10", I),
                ("BR-CL-11", I),
                ("BR-CL-25", I),
                ("BR-CL-26", I),
                ("BR-CO-16", I),
                ("UBL-CR-470", I),
                ("UBL-CR-646", I),
            ],
            (Syntax::UblInvoice | Syntax::UblCreditNote, XrVariant::Cvd) => &[
                ("BR-CL-13", I),
                ("BR-CL-23", W),
                ("BR-CL-21", W),
                ("UBL-CR-646", E),
            ],
            (Syntax::Cii, XrVariant::Standard) => &[
                ("BR-CL-23", W),
                ("BR-CL-21", W),
                ("CII-SR-452", E),
                ("CII-SR-453", E),
                ("CII-SR-454", E),
            ],
            (Syntax::Cii, XrVariant::Extension) => &[
                ("BR-CL-23", W),
                ("BR-CL-21", I),
                ("BR-CL-11", I),
                ("BR-CL-10", I),
                ("BR-CL-24", I),
                ("BR-CL-25", I),
                ("BR-CL-26", I),
                ("CII-SR-452", E),
                ("CII-SR-453", E),
                ("CII-SR-454", E),
            ],
            (Syntax::Cii, XrVariant::Cvd) => &[
                ("BR-CL-13", I),
                ("BR-CL-23", W),
                ("BR-CL-21", W),
                ("CII-SR-452", E),
                ("CII-SR-453", E),
                ("CII-SR-454", E),
            ],
            _ => &[],
        }
    }

    /// Applies the KoSIT severity overrides to rule findings (not to XSD or detector ones).
    pub fn apply_levels(self, syntax: Syntax, list: &mut [Finding]) {
        let levels = self.levels(syntax);
        for f in list.iter_mut() {
            if let Some((_, sev)) = levels.iter().find(|(r, _)| *r == f.rule) {
                f.severity = *sev;
            }
        }
    }
}
