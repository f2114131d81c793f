//! The demo publisher: catalogue, accounts, orders and a billing history, loaded into an empty
//! database by `pressrun seed-demo` or `PRESSRUN_DEMO=1`.

pub mod history;
pub mod seed;
