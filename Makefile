# Two commands on a fresh machine: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test unit integration e2e tools build fmt clippy bench fuzz

## Build the release site and serve it on http://127.0.0.1:3000 with the demo publisher.
run: tools
	cargo leptos build --release --precompress
	PRESSRUN_DEMO=1 PRESSRUN_SITE_ROOT=target/site target/release/pressrun serve

## Every test: unit, storage and HTTP on SQLite and PostgreSQL, then Chromium end-to-end.
test:
	scripts/setup-tools.sh --test
	scripts/ensure-postgres.sh
	cargo test -p app --features ssr
	cargo test -p quickbooks-standin
	cargo test -p server -- --skip crash_
	cargo test -p server --test suite crash_ -- --nocapture
	scripts/e2e.sh

tools:
	scripts/setup-tools.sh

e2e:
	scripts/setup-tools.sh --test
	scripts/ensure-postgres.sh
	scripts/e2e.sh

clippy:
	cargo fmt --check
	cargo clippy -p server -p testkit --all-targets -- -D warnings
	cargo clippy -p quickbooks-standin --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

## Billable Line Items, Invoice Selected, the scheduler tick (100 k line items) and 10 k emails, on SQLite then PostgreSQL.
bench:
	scripts/ensure-postgres.sh
	cargo bench -p app --features ssr --bench billable
	cargo bench -p app --features ssr --bench billable -- --postgres
	cargo bench -p server --bench delivery
	cargo bench -p server --bench delivery -- --postgres

## The generated-input properties of `make test` (parsers, templates, CSV import, REST bodies), run long.
fuzz:
	scripts/ensure-postgres.sh
	PROPTEST_CASES=$${PROPTEST_CASES:-20000} cargo test -p app --features ssr --test suite fuzz
	PROPTEST_CASES=$${PROPTEST_CASES:-20000} cargo test -p server --test suite generated_json
