//! The sandbox's one PDF writer, for every simulated label and document: one page per
//! entry, Helvetica text lines (the first one larger, as a title), a correct
//! cross-reference table.

/// Page sizes in PDF points.
pub(crate) const A4: (u32, u32) = (595, 842);
/// A5.
pub(crate) const A5: (u32, u32) = (420, 595);
/// A6 (10×15 cm thermal labels).
pub(crate) const A6: (u32, u32) = (298, 420);
/// 10×14 cm (Cargus).
pub(crate) const TEN_BY_FOURTEEN: (u32, u32) = (283, 397);

fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        let c = match c {
            'ă' | 'â' => 'a',
            'Ă' | 'Â' => 'A',
            'î' => 'i',
            'Î' => 'I',
            'ș' | 'ş' => 's',
            'Ș' | 'Ş' => 'S',
            'ț' | 'ţ' => 't',
            'Ț' | 'Ţ' => 'T',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        };
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A PDF with one page of `size` per entry of `pages`, each showing its lines.
pub(crate) fn document(pages: &[Vec<String>], size: (u32, u32)) -> Vec<u8> {
    let (w, h) = size;
    let n = pages.len().max(1);
    // Objects: 1 catalog, 2 pages, 3 font, then (page, content) pairs.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {n} >>",
        kids.join(" ")
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned());
    let empty = Vec::new();
    for i in 0..n {
        let lines = pages.get(i).unwrap_or(&empty);
        let mut stream = String::from("BT\n/F1 11 Tf\n14 TL\n");
        stream.push_str(&format!("24 {} Td\n", h.saturating_sub(40)));
        for (j, line) in lines.iter().enumerate() {
            if j == 0 {
                stream.push_str("/F1 16 Tf\n");
            } else if j == 1 {
                stream.push_str("/F1 11 Tf\n");
            }
            stream.push_str(&format!("({}) Tj T*\n", escape(line)));
        }
        stream.push_str("ET\n");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}endstream",
            stream.len()
        ));
    }
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{obj}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xref_points_at_the_objects() {
        let pdf = document(&[vec!["AWB 1 (test)".into()], vec!["AWB 2".into()]], A6);
        let text = String::from_utf8(pdf).unwrap();
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.trim_end().ends_with("%%EOF"));
        assert!(text.contains("/Count 2"));
        assert!(text.contains("AWB 1 \\(test\\)"));
        let xref_at: usize = text.lines().rev().nth(1).unwrap().parse().unwrap();
        assert!(text[xref_at..].starts_with("xref"));
        let first: usize = text[xref_at..].lines().nth(3).unwrap()[..10]
            .parse()
            .unwrap();
        assert!(text[first..].starts_with("1 0 obj"));
    }
}
