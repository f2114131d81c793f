//! Typst source → PDF, with nothing from outside the binary: the fonts are those bundled in
//! `typst-assets`, the only file is the generated source, and `today` is unknown (the
//! template prints the invoice's own dates, so output depends on its input alone).

use std::sync::LazyLock;

use typst::{
    Library, LibraryExt, World,
    diag::{FileError, FileResult, SourceDiagnostic},
    foundations::{Bytes, Datetime, Duration},
    syntax::{FileId, Source},
    text::{Font, FontBook},
    utils::LazyHash,
};
use typst_layout::PagedDocument;

/// Parsed once per process: font parsing is most of a cold compile.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    let book = FontBook::from_fonts(&fonts);
    Fonts { book: LazyHash::new(book), fonts }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// How many compilations a cached layout result may go unused before comemo drops it; keeps
/// memory flat on a long-running server without losing the cache between similar invoices.
const CACHE_MAX_AGE: usize = 10;

struct InvoiceWorld {
    main: Source,
}

impl World for InvoiceWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")
}

/// Compiles Typst source to PDF bytes; the error is for logs, not for people.
pub fn compile(source: &str) -> Result<Vec<u8>, String> {
    let world = InvoiceWorld { main: Source::detached(source) };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    comemo::evict(CACHE_MAX_AGE);
    let document = compiled.map_err(|e| format!("invoice layout failed: {}", describe(&e)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|e| format!("invoice PDF export failed: {}", describe(&e)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn compiles_without_system_fonts_or_files() {
        let pdf = super::compile("#set text(font: \"Libertinus Serif\")\nHello #\"world\"").unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let err = super::compile("#image(\"/etc/passwd\")").unwrap_err();
        assert!(err.contains("layout failed"), "{err}");
    }
}
