//! Renderers of the result model (`crate::model`): text, JSON, Markdown, SARIF, GitHub
//! annotations, GitLab Code Quality and HTML. None of them knows how findings are made.

pub mod ci;
pub mod gitlab;
pub mod html;
pub mod json;
pub mod markdown;
pub mod text;
