//! The shipped font families (embedded in the binary, so output is identical everywhere).
//! Liberation Sans and Serif: SIL OFL 1.1; DejaVu Sans: Bitstream Vera licence (see `fonts/`).

/// Every shipped font file (regular and bold of each family).
pub(crate) static FILES: [&[u8]; 6] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/DejaVuSans.ttf"),
    include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
];

/// The font family a business chooses for its documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FontFamily {
    /// Metric-compatible with Arial/Helvetica; the default.
    #[default]
    LiberationSans,
    /// Metric-compatible with Times New Roman.
    LiberationSerif,
    /// Wide Unicode coverage (Greek, Cyrillic, many Latin extensions).
    DejaVuSans,
}

impl FontFamily {
    pub const ALL: [FontFamily; 3] = [
        FontFamily::LiberationSans,
        FontFamily::LiberationSerif,
        FontFamily::DejaVuSans,
    ];

    /// The key stored in the settings.
    pub fn key(self) -> &'static str {
        match self {
            FontFamily::LiberationSans => "liberation-sans",
            FontFamily::LiberationSerif => "liberation-serif",
            FontFamily::DejaVuSans => "dejavu-sans",
        }
    }

    /// The family name the template sets (`data.font`).
    pub fn name(self) -> &'static str {
        match self {
            FontFamily::LiberationSans => "Liberation Sans",
            FontFamily::LiberationSerif => "Liberation Serif",
            FontFamily::DejaVuSans => "DejaVu Sans",
        }
    }

    pub fn parse(key: &str) -> Option<FontFamily> {
        FontFamily::ALL.into_iter().find(|f| f.key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_its_files() {
        let names: Vec<String> = FILES
            .iter()
            .filter_map(|data| {
                typst::text::Font::new(typst::foundations::Bytes::new(*data), 0)
                    .map(|f| f.info().family.clone())
            })
            .collect();
        assert_eq!(names.len(), FILES.len(), "every file parses as a font");
        for family in FontFamily::ALL {
            assert_eq!(
                names.iter().filter(|n| n.as_str() == family.name()).count(),
                2,
                "{} regular and bold",
                family.name()
            );
            assert_eq!(FontFamily::parse(family.key()), Some(family));
        }
        assert_eq!(FontFamily::parse("comic-sans"), None);
    }
}
