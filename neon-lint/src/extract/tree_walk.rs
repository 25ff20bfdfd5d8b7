//! The pre-order walk the tree-sitter front ends (Python, JavaScript/TypeScript) index a
//! file with.

use tree_sitter::Node;

/// Visits every node under `root` in order, with its ancestors (the last is its parent).
///
/// The ancestors come from the walk itself: tree-sitter's `Node::parent` descends from the
/// root and scans each level's children, so it costs the depth times the siblings (a flat
/// list of 100,000 strings made it quadratic, and on real TypeScript trees it was the
/// largest single cost of the extraction after parsing).
pub(super) fn walk<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>, &[Node<'t>])) {
    let mut cursor = root.walk();
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        f(node, &ancestors);
        if cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}
