//! Merging label PDFs into one document (a batch's labels, printed at once).
//!
//! CPU-bound: call it through `tokio::task::spawn_blocking`.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId, dictionary};

fn inherited(doc: &Document, page: ObjectId, key: &[u8]) -> Result<Option<Object>, lopdf::Error> {
    let mut current = page;
    let mut seen = HashSet::new();
    loop {
        if !seen.insert(current) {
            return Err(lopdf::Error::ReferenceCycle(current));
        }
        let node = doc.get_dictionary(current)?;
        if let Ok(value) = node.get(key) {
            return Ok(Some(value.clone()));
        }
        match node.get(b"Parent") {
            Ok(Object::Reference(parent)) => current = *parent,
            _ => return Ok(None),
        }
    }
}

/// A page with the attributes it inherits from its page tree written on it, so it can be
/// moved under another tree.
fn materialize(doc: &Document, page: ObjectId) -> Result<Dictionary, lopdf::Error> {
    let mut dict = doc.get_dictionary(page)?.clone();
    for key in [&b"MediaBox"[..], b"CropBox", b"Resources", b"Rotate"] {
        if dict.get(key).is_err()
            && let Some(v) = inherited(doc, page, key)?
        {
            dict.set(key.to_vec(), v);
        }
    }
    Ok(dict)
}

/// Merges PDF documents, in order, into one: every page of every part.
pub fn merge_pdfs(parts: &[Vec<u8>]) -> Result<Vec<u8>, lopdf::Error> {
    let mut out = Document::with_version("1.5");
    let pages_id = out.new_object_id();
    let mut next_id = out.max_id + 1;
    let mut kids: Vec<Object> = Vec::new();
    for bytes in parts {
        let mut doc = Document::load_mem(bytes)?;
        for page in doc.get_pages().into_values() {
            let dict = materialize(&doc, page)?;
            doc.objects.insert(page, Object::Dictionary(dict));
        }
        doc.renumber_objects_with(next_id);
        next_id = doc.max_id + 1;
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        for (id, object) in doc.objects {
            let skip = matches!(
                object.type_name().unwrap_or(b""),
                b"Catalog" | b"Pages" | b"Outlines" | b"Outline"
            );
            if !skip {
                out.objects.insert(id, object);
            }
        }
        for id in pages {
            if let Some(Object::Dictionary(d)) = out.objects.get_mut(&id) {
                d.set("Parent", pages_id);
                kids.push(Object::Reference(id));
            }
        }
    }
    out.max_id = next_id;
    let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
    out.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = out.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    out.trailer.set("Root", catalog);
    let mut buf = Vec::new();
    out.save_to(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use lopdf::content::{Content, Operation};
    use lopdf::{Stream, dictionary};

    use super::*;

    fn one_page(text: &str) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier" },
        );
        let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 24.into()]),
                Operation::new("Tj", vec![Object::string_literal(text)]),
                Operation::new("ET", vec![]),
            ],
        };
        let content = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page = doc.add_object(
            dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content },
        );
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
                "Resources" => resources, "MediaBox" => vec![0.into(), 0.into(), 283.into(), 397.into()],
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut buf = Vec::new();
        doc.save_to(&mut buf).unwrap();
        buf
    }

    #[test]
    fn merges_every_page_in_order_with_inherited_attributes() {
        let merged =
            merge_pdfs(&[one_page("AWB-1"), one_page("AWB-2"), one_page("AWB-3")]).unwrap();
        let doc = Document::load_mem(&merged).unwrap();
        let pages: Vec<_> = doc.get_pages().into_values().collect();
        assert_eq!(pages.len(), 3);
        for (i, page) in pages.iter().enumerate() {
            let text = doc.extract_text(&[u32::try_from(i + 1).unwrap()]).unwrap();
            assert!(text.contains(&format!("AWB-{}", i + 1)), "{text}");
            let dict = doc.get_dictionary(*page).unwrap();
            assert!(
                dict.get(b"MediaBox").is_ok(),
                "the inherited box moved with the page"
            );
        }
    }

    #[test]
    fn a_part_that_is_not_a_pdf_is_an_error() {
        assert!(merge_pdfs(&[b"not a pdf".to_vec()]).is_err());
    }
}
