//! Emailing a document: `POST /document/send`.

use flux_http::Method;

use crate::client::SmartBillClient;
use crate::error::SmartBillError;
use crate::types::{EmailResponse, EmailStatus, EmailStatusCode, SendDocument, SendDocumentWire};

impl SmartBillClient {
    /// Emails an issued document. SmartBill reports the outcome in `status.code` (0 ok,
    /// 1 data error, 2 server error), not in `errorText`; both are checked.
    ///
    /// # Errors
    /// [`SmartBillError::Email`] for a non-zero `status.code`.
    pub async fn send_document(&self, email: &SendDocument) -> Result<EmailStatus, SmartBillError> {
        if email.to.trim().is_empty() {
            return Err(SmartBillError::validation("to", "must not be empty"));
        }
        let req = self
            .request(Method::POST, "document/send")
            .json(&SendDocumentWire::new(&self.cif, email));
        let resp: EmailResponse = self.send_json(req).await?;
        if resp.status.code == EmailStatusCode::Ok {
            Ok(resp.status)
        } else {
            Err(SmartBillError::Email {
                code: resp.status.code,
                message: resp.status.message,
            })
        }
    }
}
