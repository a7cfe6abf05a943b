//! A small, valid one-page PDF of an estimate or invoice.

use serde_json::Value;

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
    crate::pdf::document(&[lines], crate::pdf::A4)
}
