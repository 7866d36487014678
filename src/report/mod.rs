//! Renderers of the result model (`crate::model`): text, JSON, Markdown, SARIF, GitHub
//! annotations and HTML. None of them knows how findings are made.

pub mod ci;
pub mod html;
pub mod json;
pub mod markdown;
pub mod text;
