//! Runs the stand-in on its own, for trying it by hand or driving it from another process:
//! `cargo run -p quickbooks-standin --example serve -- 127.0.0.1:4010`.

use quickbooks_standin::{Config, StandIn, serve};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:4010".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let config = Config::default();
    println!("QuickBooks stand-in on {base}");
    println!("  authorize  {base}/connect/oauth2   (client_id {})", config.client_id);
    println!("  token      {base}/oauth2/v1/tokens/bearer   (secret {})", config.client_secret);
    println!("  revoke     {base}/v2/oauth2/tokens/revoke");
    println!("  API        {base}/v3/company/{}", config.realm_id);
    println!("  admin      {base}/__standin");
    serve(listener, StandIn::new(config)).await
}
