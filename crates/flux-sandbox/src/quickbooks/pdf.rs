//! A small, valid one-page PDF of an estimate or invoice.

use serde_json::Value;

fn escape(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii)
        .flat_map(|c| match c {
            '(' | ')' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// The PDF of document `doc` of type `name` issued by `company`.
pub(crate) fn document(name: &str, doc: &Value, company: &Value) -> Vec<u8> {
    let s = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let mut lines = vec![
        s(company.get("CompanyName")),
        format!("{name} {}", s(doc.get("DocNumber"))),
        format!("Date: {}", s(doc.get("TxnDate"))),
        format!("Customer: {}", s(doc.pointer("/CustomerRef/name"))),
    ];
    for l in doc
        .get("Line")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if l.get("DetailType").and_then(Value::as_str) == Some("SalesItemLineDetail") {
            lines.push(format!(
                "{} x {} = {}",
                s(l.pointer("/SalesItemLineDetail/ItemRef/name")),
                s(l.pointer("/SalesItemLineDetail/Qty")),
                s(l.get("Amount"))
            ));
        }
    }
    lines.push(format!("Tax: {}", s(doc.pointer("/TxnTaxDetail/TotalTax"))));
    lines.push(format!(
        "Total: {} {}",
        s(doc.get("TotalAmt")),
        s(doc.pointer("/CurrencyRef/value"))
    ));
    let mut content = String::from("BT /F1 12 Tf 50 780 Td 16 TL\n");
    for l in &lines {
        content.push_str(&format!("({}) Tj T*\n", escape(l)));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
