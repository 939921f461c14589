//! A thin layer over quick-xml's event writer: every value goes through quick-xml's escaping,
//! and empty values never produce empty elements (EN 16931 / PEPPOL-EN16931-R008).

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::io;

pub(crate) struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    pub(crate) fn new() -> io::Result<Xml> {
        let mut w = Writer::new_with_indent(Vec::with_capacity(16 * 1024), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        Ok(Xml { w })
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = self.w.into_inner();
        out.push(b'\n');
        out
    }

    /// Opens an element with attributes.
    pub(crate) fn open_with(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        let mut start = BytesStart::new(name);
        for (k, v) in attrs {
            start.push_attribute((*k, *v));
        }
        self.w.write_event(Event::Start(start))
    }

    pub(crate) fn open(&mut self, name: &str) -> io::Result<()> {
        self.open_with(name, &[])
    }

    pub(crate) fn close(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name attrs>text</name>`; nothing at all when the text is blank.
    pub(crate) fn leaf_with(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> io::Result<()> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(());
        }
        self.open_with(name, attrs)?;
        self.w.write_event(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    /// Like [`Xml::leaf`] but keeps trailing line breaks (the XRechnung Skonto lines end with
    /// one); leading and trailing spaces are still trimmed.
    pub(crate) fn leaf_lines(&mut self, name: &str, text: &str) -> io::Result<()> {
        let text = text.trim_start().trim_end_matches([' ', '\t']);
        if text.trim().is_empty() {
            return Ok(());
        }
        self.open(name)?;
        self.w.write_event(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    pub(crate) fn leaf(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.leaf_with(name, &[], text)
    }
}
