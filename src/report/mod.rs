//! Renderers of the result model (`crate::model`): text, JSON, Markdown, SARIF, GitHub
//! annotations and GitLab Code Quality. None of them knows how findings are made.

pub mod ci;
pub mod gitlab;
pub mod json;
pub mod markdown;
pub mod text;
