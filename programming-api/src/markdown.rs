//! Handouts: CommonMark rendered to HTML on the server, then sanitised, so an
//! assignment folder can never put script into a learner's page.

use pulldown_cmark::{html, Options, Parser};

pub fn render_handout(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    let mut sanitiser = ammonia::Builder::default();
    sanitiser.add_allowed_classes("code", CODE_CLASSES.iter().map(String::as_str));
    sanitiser.clean(&unsafe_html).to_string()
}

/// A code block keeps its language's class: every runner's, and text.
static CODE_CLASSES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    let languages = domain::runners::ALL.iter().map(|r| r.language);
    languages
        .chain(["text"])
        .map(|language| format!("language-{language}"))
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = render_handout("# Title\n\nSome *words*.\n\n```python\nx = 1\n```\n");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<em>words</em>"), "{html}");
        assert!(
            html.contains("<code class=\"language-python\">x = 1"),
            "{html}"
        );
    }

    #[test]
    fn script_and_handlers_are_removed() {
        let html = render_handout(
            "hi <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
