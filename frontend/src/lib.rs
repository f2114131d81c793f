#![recursion_limit = "512"]
//! The browser entry point: hydrates the server-rendered HTML.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // A marker for browser tests (and anyone debugging): the page is interactive from here.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
