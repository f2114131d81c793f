//! The shape of the code, checked: which feature folder of the backend may use which, and no
//! import circle between any two files or folders of `app/src` and `server/src`.
//! Run with `cargo test -p app --features ssr --lib architecture`.
//!
//! Every path in every file is read with `syn` (use trees, expressions, types, macros' paths),
//! resolved against the file's own module (`crate::`, `super::`, `self::`), and cut down to
//! the module file it names. That gives a graph of files; a cycle anywhere fails the test, and
//! so does a backend folder using a folder that is not below it in `BACKEND_LAYERS`.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use quote::ToTokens;
use syn::visit::Visit;

/// Backend folders from the bottom up. A folder may use folders on a lower line only; folders
/// on one line are independent of each other.
const BACKEND_LAYERS: &[&[&str]] = &[
    &["platform"],
    &["auth", "directory"],
    &["delivery", "templates"],
    &["invoicing"],
    &["payments", "reports"],
    &["portal", "reminders"],
    &["messages"],
    &["demo", "scheduler", "state"],
];

/// Top-level modules of the app crate from the bottom up, by the same rule.
const APP_LAYERS: &[&[&str]] = &[&["domain"], &["views"], &["backend"], &["api"], &["pages"]];

struct Crate {
    root: PathBuf,
    /// Module path (without `crate`) → file.
    files: BTreeMap<Vec<String>, PathBuf>,
}

impl Crate {
    fn load(root: &Path) -> Crate {
        let mut files = BTreeMap::new();
        collect(root, root, &mut files);
        Crate { root: root.to_path_buf(), files }
    }

    /// The deepest module file a full path (without `crate`) lands in.
    fn module_of(&self, path: &[String]) -> Option<Vec<String>> {
        (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| self.files.contains_key(p))
    }
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<Vec<String>, PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under root").with_extension("");
            let mut module: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            // A binary's `main.rs` beside a `lib.rs` is its own crate; it reaches the library by
            // name, not through `crate::`.
            if module == ["main"] && root.join("lib.rs").exists() {
                continue;
            }
            if module.last().is_some_and(|l| l == "mod" || l == "lib" || l == "main") {
                module.pop();
            }
            out.insert(module, path);
        }
    }
}

/// Collects every path a file names, resolved to a full path from the crate root.
struct Paths<'a> {
    module: &'a [String],
    /// Local names brought in by `use` (`store` → `crate::backend::…::store`), applied to
    /// plain paths that start with them.
    aliases: BTreeMap<String, Vec<String>>,
    found: BTreeSet<Vec<String>>,
}

impl Paths<'_> {
    fn resolve(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        let mut base: Vec<String> = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.module.to_vec(),
            "super" => {
                let mut m = self.module.to_vec();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    m.pop();
                    rest = &rest[1..];
                }
                m.extend(rest.iter().cloned());
                return Some(m);
            }
            name => return self.aliases.get(name).map(|full| [full.clone(), segments[1..].to_vec()].concat()),
        };
        base.extend(segments[1..].iter().cloned());
        Some(base)
    }

    fn use_tree(&mut self, prefix: Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                let mut next = prefix;
                next.push(p.ident.to_string());
                self.use_tree(next, &p.tree);
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix;
                let name = n.ident.to_string();
                if name != "self" {
                    full.push(name.clone());
                }
                self.add_use(full, name);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix;
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.add_use(full, r.rename.to_string());
            }
            syn::UseTree::Glob(_) => self.add_use(prefix, String::new()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix.clone(), t);
                }
            }
        }
    }

    fn add_use(&mut self, path: Vec<String>, local: String) {
        if let Some(full) = self.resolve(&path) {
            if !local.is_empty() {
                self.aliases.insert(local, full.clone());
            }
            self.found.insert(full);
        }
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(full) = self.resolve(&segments) {
            self.found.insert(full);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Macro bodies (`on_db!`, `view!`, `sqlx::query!`) are token streams: read every
        // `a::b::c` sequence in them as a path.
        let mut path: Vec<String> = Vec::new();
        let mut colons = 0;
        let flush = |path: &mut Vec<String>, found: &mut Self| {
            if path.len() > 1
                && let Some(full) = found.resolve(path)
            {
                found.found.insert(full);
            }
            path.clear();
        };
        fn walk(stream: proc_macro2::TokenStream, out: &mut Vec<proc_macro2::TokenTree>) {
            for tt in stream {
                if let proc_macro2::TokenTree::Group(g) = &tt {
                    out.push(proc_macro2::TokenTree::Punct(proc_macro2::Punct::new(';', proc_macro2::Spacing::Alone)));
                    walk(g.stream(), out);
                    out.push(proc_macro2::TokenTree::Punct(proc_macro2::Punct::new(';', proc_macro2::Spacing::Alone)));
                } else {
                    out.push(tt);
                }
            }
        }
        let mut tokens = Vec::new();
        walk(mac.tokens.clone(), &mut tokens);
        for tt in tokens {
            match tt {
                proc_macro2::TokenTree::Ident(i) if path.is_empty() || colons == 2 => {
                    path.push(i.to_string());
                    colons = 0;
                }
                proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' && !path.is_empty() && colons < 2 => colons += 1,
                _ => {
                    flush(&mut path, self);
                    colons = 0;
                    if let proc_macro2::TokenTree::Ident(i) = tt {
                        path.push(i.to_string());
                    }
                }
            }
        }
        flush(&mut path, self);
        syn::visit::visit_macro(self, mac);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // Inline test modules may use anything of their parent's; their `super` is the file.
        let is_test =
            |a: &syn::Attribute| a.path().is_ident("cfg") && a.meta.to_token_stream().to_string().contains("test");
        if item.content.is_some() && item.attrs.iter().any(is_test) {
            return;
        }
        syn::visit::visit_item_mod(self, item);
    }
}

/// Edges between module files of one crate: file → files it names.
fn graph(krate: &Crate) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut edges = BTreeMap::new();
    for (module, file) in &krate.files {
        let source = std::fs::read_to_string(file).expect("read source");
        let parsed = syn::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // Inside `mod.rs`/`lib.rs` a path resolves against the module itself.
        let mut paths = Paths { module, aliases: BTreeMap::new(), found: BTreeSet::new() };
        // Two passes: `use` statements anywhere in the file define aliases that plain paths
        // earlier in the file may use.
        paths.visit_file(&parsed);
        paths.found.clear();
        paths.visit_file(&parsed);
        let targets: BTreeSet<Vec<String>> = paths
            .found
            .iter()
            .filter_map(|p| krate.module_of(p))
            // A module naming its own children (`pub mod x;`, re-exports) is structure, not use.
            .filter(|t| t != module && !t.starts_with(module))
            .collect();
        edges.insert(module.clone(), targets);
    }
    edges
}

/// Every cycle's members, found by Tarjan's algorithm (strongly connected components).
fn cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    struct State<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on_stack: BTreeSet<&'a Vec<String>>,
        next: usize,
        out: Vec<Vec<Vec<String>>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Vec<String>) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            if !s.edges.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// Folder-level edges: the first `depth` segments after `prefix` of each file.
fn folder_edges(
    edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    prefix: &[&str],
) -> BTreeSet<(String, String, String)> {
    let folder = |m: &Vec<String>| -> Option<String> {
        (m.len() > prefix.len() && m.iter().zip(prefix).all(|(a, b)| a == b)).then(|| m[prefix.len()].clone())
    };
    let mut out = BTreeSet::new();
    for (from, targets) in edges {
        let Some(a) = folder(from) else { continue };
        for to in targets {
            if let Some(b) = folder(to)
                && a != b
            {
                out.insert((a.clone(), b, from.join("::")));
            }
        }
    }
    out
}

fn rank(layers: &[&[&str]], name: &str) -> Option<usize> {
    layers.iter().position(|l| l.contains(&name))
}

fn layer_violations(
    edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    prefix: &[&str],
    layers: &[&[&str]],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (a, b, file) in folder_edges(edges, prefix) {
        match (rank(layers, &a), rank(layers, &b)) {
            (Some(ra), Some(rb)) if rb < ra => {}
            (Some(_), Some(_)) => problems.push(format!("{file} ({a}) uses {b}, which is not below it")),
            (None, _) => problems.push(format!("{a} is not listed in the layers (used by {file})")),
            (_, None) => problems.push(format!("{b} is not listed in the layers (used by {file})")),
        }
    }
    problems
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn describe(cycles: &[Vec<Vec<String>>]) -> String {
    cycles.iter().map(|c| c.iter().map(|m| m.join("::")).collect::<Vec<_>>().join(" ↔ ")).collect::<Vec<_>>().join("\n")
}

#[test]
fn no_import_circle_between_files_of_the_app() {
    let app = Crate::load(&manifest_dir().join("src"));
    assert!(app.files.len() > 50, "read {} files from {}", app.files.len(), app.root.display());
    let found = cycles(&graph(&app));
    assert!(found.is_empty(), "import circles in app/src:\n{}", describe(&found));
}

#[test]
fn no_import_circle_between_files_of_the_server() {
    let server = Crate::load(&manifest_dir().join("../server/src"));
    let found = cycles(&graph(&server));
    assert!(found.is_empty(), "import circles in server/src:\n{}", describe(&found));
}

#[test]
fn backend_folders_use_only_folders_below_them() {
    let app = Crate::load(&manifest_dir().join("src"));
    let edges = graph(&app);
    let problems = layer_violations(&edges, &["backend"], BACKEND_LAYERS);
    assert!(problems.is_empty(), "backend layering:\n{}", problems.join("\n"));
}

#[test]
fn app_modules_use_only_modules_below_them() {
    let app = Crate::load(&manifest_dir().join("src"));
    let edges = graph(&app);
    let problems: Vec<String> = layer_violations(&edges, &[], APP_LAYERS)
        .into_iter()
        // lib.rs wires the modules together; `architecture` is this test.
        .filter(|p| !p.contains("architecture"))
        .collect();
    assert!(problems.is_empty(), "app layering:\n{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_a_circle() {
    let edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = [
        (vec!["a".to_string()], BTreeSet::from([vec!["b".to_string()]])),
        (vec!["b".to_string()], BTreeSet::from([vec!["a".to_string()]])),
        (vec!["c".to_string()], BTreeSet::from([vec!["a".to_string()]])),
    ]
    .into_iter()
    .collect();
    assert_eq!(cycles(&edges).len(), 1);
    let v = layer_violations(&edges, &[], &[&["a"], &["b"]]);
    assert!(v.iter().any(|p| p.contains("(a) uses b")), "{v:?}");
}
