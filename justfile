# Everyday commands for the Flux workspace. `just --list` shows them.

pg_url := "postgres://postgres@127.0.0.1:5432/postgres"

# Format the whole workspace.
fmt:
    cargo fmt --all

# Format check and clippy with warnings denied, as CI runs them.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# The whole test suite (SQLite for database tests).
test:
    cargo test --workspace

# The suite again with PostgreSQL as well.
test-pg:
    DATABASE_URL={{pg_url}} cargo test --workspace

# Benchmarks.
bench:
    cargo bench --workspace

# The main job: the Flux service.
run:
    cargo run -p flux-orchestrator --bin flux -- serve

# Regenerate the committed OpenAPI document.
openapi:
    FLUX_UPDATE_OPENAPI=1 cargo test -p flux-orchestrator --test api openapi

# The end-to-end demo: a day of orders through every provider simulated, then the API until Ctrl-C.
demo *ARGS:
    cargo run -p flux-orchestrator --bin flux -- demo {{ARGS}}

# Exactly what CI runs.
ci:
    bash .ci/run
