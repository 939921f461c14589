//! The embedded files of a PDF: the `/Names /EmbeddedFiles` name tree and the catalog's `/AF`
//! array, walked without recursion, with a visited set, a depth limit and count limits.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::objects::{decode_text, get, get_array, get_dict, get_name, get_text, resolve};

/// Deepest name tree level followed (the official wrapper stops at 32 as well).
pub const MAX_TREE_DEPTH: usize = 32;
/// Most name tree nodes visited.
pub const MAX_TREE_NODES: usize = 10_000;
/// Most embedded files listed.
pub const MAX_FILES: usize = 1_000;

/// The attachment names in use for the invoice XML, lower case, in order of preference.
/// `ZUGFeRD-invoice.xml` (ZUGFeRD 1) and `zugferd-invoice.xml` (ZUGFeRD 2.0) differ only
/// in case; the content tells them apart.
const KNOWN_NAMES: [&str; 3] = ["factur-x.xml", "xrechnung.xml", "zugferd-invoice.xml"];

/// A file specification as found in the tree or in `/AF`.
#[derive(Clone, Copy)]
pub(crate) struct Spec<'a> {
    /// Object id when it was reached through a reference.
    pub id: Option<ObjectId>,
    /// `None` when the value is not a dictionary.
    pub dict: Option<&'a Dictionary>,
}

impl<'a> Spec<'a> {
    fn of(doc: &'a Document, obj: &'a Object) -> Spec<'a> {
        match resolve(doc, obj) {
            Some((id, Object::Dictionary(d))) => Spec { id, dict: Some(d) },
            Some((id, _)) => Spec { id, dict: None },
            None => Spec {
                id: obj.as_reference().ok(),
                dict: None,
            },
        }
    }

    fn same(&self, other: &Spec) -> bool {
        match (self.id, other.id) {
            (Some(a), Some(b)) => a == b,
            (None, None) => match (self.dict, other.dict) {
                (Some(a), Some(b)) => std::ptr::eq(a, b) || a == b,
                _ => false,
            },
            _ => false,
        }
    }

    /// `/UF`, else `/F` (the first that is a non-empty text string), else "".
    pub(crate) fn name(&self, doc: &Document) -> String {
        let Some(d) = self.dict else {
            return String::new();
        };
        [b"UF".as_slice(), b"F".as_slice()]
            .iter()
            .filter_map(|k| get_text(doc, d, k))
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    }

    /// The embedded file stream, `/EF /F` else `/EF /UF`. `Err` when there is an entry that is
    /// not a stream, `Ok(None)` when there is none.
    pub(crate) fn stream(&self, doc: &'a Document) -> Result<Option<&'a Stream>, ()> {
        let Some(ef) = self.dict.and_then(|d| get_dict(doc, d, b"EF")) else {
            return Ok(None);
        };
        match get(doc, ef, b"F").or_else(|| get(doc, ef, b"UF")) {
            None => Ok(None),
            Some(Object::Stream(s)) => Ok(Some(s)),
            Some(_) => Err(()),
        }
    }

    pub(crate) fn relationship(&self, doc: &Document) -> Option<String> {
        self.dict
            .and_then(|d| match get(doc, d, b"AFRelationship")? {
                Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
                Object::String(s, _) => Some(decode_text(s)),
                other => Some(other.enum_variant().to_string()),
            })
    }
}

/// One candidate attachment, keyed by its name as the official wrapper keys them.
pub(crate) struct Candidate<'a> {
    pub name: String,
    pub spec: Spec<'a>,
    pub in_tree: bool,
}

pub(crate) struct Attachments<'a> {
    /// Name tree entries: (key, file specification), in tree order.
    pub tree: Vec<(String, Spec<'a>)>,
    pub af: Vec<Spec<'a>>,
    pub candidates: Vec<Candidate<'a>>,
    /// A limit cut the walk short (loop, depth, node or file count).
    pub truncated: bool,
}

impl<'a> Attachments<'a> {
    pub(crate) fn collect(doc: &'a Document, catalog: &'a Dictionary) -> Attachments<'a> {
        let mut att = Attachments {
            tree: Vec::new(),
            af: Vec::new(),
            candidates: Vec::new(),
            truncated: false,
        };
        if let Some(root) =
            get_dict(doc, catalog, b"Names").and_then(|n| n.get(b"EmbeddedFiles").ok())
        {
            att.walk(doc, root);
        }
        if let Some(af) = get_array(doc, catalog, b"AF") {
            if af.len() > MAX_FILES {
                att.truncated = true;
            }
            att.af = af
                .iter()
                .take(MAX_FILES)
                .map(|o| Spec::of(doc, o))
                .collect();
        }
        let mut seen: HashSet<String> = HashSet::new();
        for (key, spec) in &att.tree {
            let name = Some(spec.name(doc))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| key.clone());
            if seen.insert(name.clone()) {
                att.candidates.push(Candidate {
                    name,
                    spec: *spec,
                    in_tree: true,
                });
            }
        }
        let tree_names: HashSet<String> = att
            .tree
            .iter()
            .flat_map(|(k, s)| [k.clone(), s.name(doc)])
            .collect();
        for spec in &att.af {
            let name = spec.name(doc);
            if !name.is_empty() && seen.insert(name.clone()) {
                att.candidates.push(Candidate {
                    in_tree: tree_names.contains(&name),
                    name,
                    spec: *spec,
                });
            }
        }
        att
    }

    /// Depth-first, in tree order, without recursion.
    fn walk(&mut self, doc: &'a Document, root: &'a Object) {
        let mut stack: Vec<(&'a Object, usize)> = vec![(root, 0)];
        let mut visited: HashSet<ObjectId> = HashSet::new();
        let mut nodes = 0usize;
        while let Some((obj, depth)) = stack.pop() {
            if depth > MAX_TREE_DEPTH {
                self.truncated = true;
                continue;
            }
            if let Ok(id) = obj.as_reference()
                && !visited.insert(id)
            {
                // A loop, or a node listed twice.
                self.truncated = true;
                continue;
            }
            let Some((id, node)) = resolve(doc, obj) else {
                continue;
            };
            if let Some(id) = id
                && obj.as_reference().ok() != Some(id)
                && !visited.insert(id)
            {
                self.truncated = true;
                continue;
            }
            nodes += 1;
            if nodes > MAX_TREE_NODES {
                self.truncated = true;
                return;
            }
            let Object::Dictionary(node) = node else {
                continue;
            };
            if let Some(names) = get_array(doc, node, b"Names") {
                for pair in names.chunks_exact(2) {
                    if self.tree.len() >= MAX_FILES {
                        self.truncated = true;
                        return;
                    }
                    if let [key, value] = pair {
                        let key = match resolve(doc, key) {
                            Some((_, Object::String(s, _))) => decode_text(s),
                            Some((_, Object::Name(n))) => String::from_utf8_lossy(n).into_owned(),
                            _ => String::new(),
                        };
                        self.tree.push((key, Spec::of(doc, value)));
                    }
                }
            }
            if let Some(kids) = get_array(doc, node, b"Kids") {
                for kid in kids.iter().rev() {
                    stack.push((kid, depth + 1));
                }
            }
        }
    }

    pub(crate) fn in_af(&self, spec: &Spec) -> bool {
        self.af.iter().any(|a| a.same(spec))
    }
}

/// The last path segment of an attachment name (`c//x/factur-x.xml` → `factur-x.xml`).
pub(crate) fn basename(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Preference rank of an invoice attachment name (path prefix ignored, any case), or `None`.
pub(crate) fn known_rank(name: &str) -> Option<usize> {
    let base = basename(name).trim().to_lowercase();
    KNOWN_NAMES.iter().position(|k| *k == base)
}

/// MIME type of an embedded file stream (`/Subtype`).
pub(crate) fn mime(doc: &Document, stream: &Stream) -> Option<String> {
    get_name(doc, &stream.dict, b"Subtype")
}

/// Declared size (`/Params /Size`), else the stored length of the stream.
pub(crate) fn size(doc: &Document, stream: &Stream) -> u64 {
    get_dict(doc, &stream.dict, b"Params")
        .and_then(|p| get(doc, p, b"Size"))
        .and_then(|s| s.as_i64().ok())
        .and_then(|s| u64::try_from(s).ok())
        .unwrap_or(stream.content.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(known_rank("factur-x.xml"), Some(0));
        assert_eq!(known_rank("Factur-X.XML"), Some(0));
        assert_eq!(known_rank("c//a/b/factur-x.xml"), Some(0));
        assert_eq!(known_rank("C:\\x\\xrechnung.xml"), Some(1));
        assert_eq!(known_rank("ZUGFeRD-invoice.xml"), Some(2));
        assert_eq!(known_rank("zugferd-invoice.xml"), Some(2));
        assert_eq!(known_rank("invoice.xml"), None);
        assert_eq!(known_rank(""), None);
        assert_eq!(basename("a/"), "");
    }
}
