//! Who is on the other end. Behind a reverse proxy every TCP peer is the proxy, which would put
//! all clients in one portal rate-limit bucket and let 20 failures from anyone lock every staff
//! member's address out. When the peer is a proxy the operator trusts
//! (`PRESSRUN_TRUSTED_PROXIES`), the client is the nearest address in `X-Forwarded-For` that
//! is not itself a trusted proxy; a header from anyone else is ignored, so it cannot be forged.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks: `10.0.0.5, 172.16.0.0/12, ::1`.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => item
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("'{item}' is neither an IP address nor a network like 10.0.0.0/8"))?,
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a request that arrived from `peer` with this
    /// `X-Forwarded-For` value (each proxy appends the address it received from).
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for.unwrap_or("").rsplit(',').map(str::trim) {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// `203.0.113.7`, `2001:db8::1`, `203.0.113.7:51234` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Replaces the peer address every later layer reads (`ConnectInfo`) with the client's.
pub async fn resolve(State(trusted): State<Arc<TrustedProxies>>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let client = trusted.client(peer.ip(), forwarded);
        if client != peer.ip() {
            req.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, 0)));
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_believed() {
        let t = TrustedProxies::parse("10.0.0.5, 172.16.0.0/12").unwrap();
        assert_eq!(t.client(ip("198.51.100.9"), Some("1.2.3.4")), ip("198.51.100.9"), "a forged header is ignored");
        assert_eq!(t.client(ip("10.0.0.5"), Some("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(
            t.client(ip("10.0.0.5"), Some("6.6.6.6, 203.0.113.7, 172.16.4.4")),
            ip("203.0.113.7"),
            "the nearest untrusted hop, not what the client claimed before it"
        );
        assert_eq!(t.client(ip("10.0.0.5"), None), ip("10.0.0.5"));
        assert_eq!(t.client(ip("10.0.0.5"), Some("garbage")), ip("10.0.0.5"));
        assert_eq!(t.client(ip("10.0.0.5"), Some("[2001:db8::1]:443")), ip("2001:db8::1"));
        assert_eq!(TrustedProxies::default().client(ip("10.0.0.5"), Some("1.2.3.4")), ip("10.0.0.5"));
    }

    #[test]
    fn bad_entries_are_named() {
        assert!(TrustedProxies::parse("10.0.0.0/8, nonsense").unwrap_err().contains("'nonsense'"));
        assert!(TrustedProxies::parse("").unwrap().0.is_empty());
    }
}
