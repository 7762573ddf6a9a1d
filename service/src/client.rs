//! Who a client is, as far as limits go: its address. Behind a proxy that is
//! the address the proxy saw, taken from `X-Forwarded-For` only when the
//! peer itself is a trusted proxy (none by default); a client can put
//! anything in that header, so from anyone else it is ignored.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed, as `TRUSTED_PROXIES`
/// gives them: addresses or networks, comma-separated.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{p:?} is not an address or network"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer's, or, from a trusted proxy, the
    /// nearest address in `X-Forwarded-For` that is not itself a trusted
    /// proxy (the header lists the hops, the client first).
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<IpAddr> = forwarded_for
            .unwrap_or_default()
            .split(',')
            .filter_map(|h| h.trim().parse().ok())
            .collect();
        hops.into_iter()
            .rev()
            .find(|ip| !self.trusts(*ip))
            .unwrap_or(peer)
    }
}

/// The client's address, as the API's request handlers find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.5"), Some("1.2.3.4")), ip("10.0.0.5"));

        let proxies: TrustedProxies = "10.0.0.0/8, 192.168.1.1".parse().unwrap();
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("1.2.3.4")),
            ip("1.2.3.4")
        );
        // A client's own made-up hops before the real one are skipped.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("6.6.6.6, 1.2.3.4, 192.168.1.1")),
            ip("1.2.3.4")
        );
        assert_eq!(proxies.client(ip("10.0.0.5"), None), ip("10.0.0.5"));
        assert_eq!(
            proxies.client(ip("8.8.8.8"), Some("1.2.3.4")),
            ip("8.8.8.8")
        );
        assert!("not-an-ip".parse::<TrustedProxies>().is_err());
    }
}
