//! Tidying ariadne's output for terminals and logs: no trailing spaces, and one escape
//! sequence per run of equally styled text (ariadne wraps every character in its own
//! colour codes, which multiplies the output and breaks `grep` and copy-paste on colour
//! terminals).

/// `s` with trailing whitespace removed from every line and, when `color`, its SGR
/// colour codes re-emitted once per styled run (each line closes its style, so a line
/// read alone is never left coloured); without `color`, every escape removed.
pub fn tidy(s: &str, color: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let cells = styled(line);
        let end = cells
            .iter()
            .rposition(|(c, _)| !c.is_whitespace())
            .map_or(0, |p| p + 1);
        let mut current = "";
        for (c, style) in &cells[..end] {
            let style = if color { style.as_str() } else { "" };
            if style != current {
                if !current.is_empty() {
                    out.push_str(RESET);
                }
                out.push_str(style);
                current = style;
            }
            out.push(*c);
        }
        if !current.is_empty() {
            out.push_str(RESET);
        }
    }
    out
}

const RESET: &str = "\u{1b}[0m";

/// Each character of `line` with the SGR sequences in force for it (concatenated, in
/// order; empty when none). Other escape sequences are dropped.
fn styled(line: &str) -> Vec<(char, String)> {
    let mut cells = Vec::with_capacity(line.len());
    let mut style = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            let mut seq = String::from("\u{1b}[");
            let mut fin = None;
            for c in chars.by_ref() {
                seq.push(c);
                if c.is_ascii_alphabetic() {
                    fin = Some(c);
                    break;
                }
            }
            if fin == Some('m') {
                let params = &seq[2..seq.len() - 1];
                if params.is_empty() || params == "0" {
                    style.clear();
                } else {
                    style.push_str(&seq);
                }
            }
            continue;
        }
        cells.push((c, style.clone()));
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::tidy;

    #[test]
    fn one_escape_per_run_and_no_trailing_spaces() {
        let s = "\u{1b}[31ma\u{1b}[0m\u{1b}[31mb\u{1b}[0m c  \n\u{1b}[34m \u{1b}[0m\nx";
        assert_eq!(tidy(s, true), "\u{1b}[31mab\u{1b}[0m c\n\nx");
        assert_eq!(tidy(s, false), "ab c\n\nx");
    }
}
