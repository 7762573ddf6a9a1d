//! What a learner hands in, as the one text that is stored and graded: the
//! code, for a code assignment; for a notebook assignment the notebook,
//! checked and without its outputs (`domain::notebook`). Submissions and
//! practice runs both take it.

use domain::codes::Code;
use domain::course::Kind;
use domain::notebook::{check_size, Notebook, NotebookError, MAX_NOTEBOOK_BYTES};
use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;

/// Largest program accepted, in bytes of UTF-8.
pub const MAX_CODE_BYTES: usize = 64 * 1024;

/// The body cap of a route that takes a hand-in: a notebook and its envelope.
pub const MAX_BODY_BYTES: usize = MAX_NOTEBOOK_BYTES + 64 * 1024;

/// `{"code": "..."}` or `{"notebook": <the .ipynb JSON object>}` (or the
/// file's text as a string, so a client need not parse it first).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandIn {
    code: Option<String>,
    notebook: Option<Value>,
}

/// The text to store for `body` handed in to an assignment of `kind`.
pub fn text_for(kind: Kind, body: HandIn) -> Result<String, ApiError> {
    match (kind, body.code, body.notebook) {
        (Kind::Code, Some(code), None) => {
            validate_code(&code)?;
            Ok(code)
        }
        (Kind::Notebook, None, Some(notebook)) => notebook_text(notebook),
        (Kind::Code, None, Some(_)) => Err(ApiError::new(
            Code::WrongKind,
            "this assignment takes code: send {\"code\": \"...\"}",
        )),
        (Kind::Notebook, Some(_), None) => Err(ApiError::new(
            Code::WrongKind,
            "this assignment takes a notebook: send {\"notebook\": <the .ipynb file's JSON>}",
        )),
        _ => Err(ApiError::new(
            Code::InvalidBody,
            "send either code or a notebook, and only one",
        )),
    }
}

fn notebook_text(notebook: Value) -> Result<String, ApiError> {
    let checked = match notebook {
        Value::String(text) => Notebook::from_text(&text),
        value => check_size(value.to_string().len()).and_then(|()| Notebook::parse(value)),
    }
    .map_err(|e| match e {
        NotebookError::TooLarge(m) => ApiError::new(Code::CodeTooLarge, m),
        NotebookError::Invalid(m) => ApiError::new(Code::InvalidNotebook, m),
    })?;
    Ok(checked.to_text())
}

pub fn validate_code(code: &str) -> Result<(), ApiError> {
    if code.len() > MAX_CODE_BYTES {
        return Err(ApiError::new(
            Code::CodeTooLarge,
            format!("the code is larger than {} KiB", MAX_CODE_BYTES / 1024),
        ));
    }
    if code.contains('\0') {
        return Err(ApiError::new(
            Code::InvalidCode,
            "the code contains a NUL character",
        ));
    }
    Ok(())
}
