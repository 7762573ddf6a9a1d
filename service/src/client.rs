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
    /// proxy. The header lists the hops, the client first, and may come
    /// as several lines (HAProxy adds its own line after a client's): all
    /// are read, in order, as one list. A hop that is not an address ends
    /// the walk at the last trusted one: nothing left of it is believed.
    pub fn client<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .collect();
        let mut nearest = peer;
        for hop in hops.into_iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.trusts(ip) => nearest = ip,
                Ok(ip) => return ip,
                Err(_) => return nearest,
            }
        }
        nearest
    }

    /// [`Self::client`] from a request's headers: every
    /// `X-Forwarded-For` line (one that is not text ends the walk).
    pub fn client_of(&self, peer: IpAddr, headers: &http::HeaderMap) -> IpAddr {
        let lines = headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap_or("not text"));
        self.client(peer, lines)
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
        assert_eq!(none.client(ip("10.0.0.5"), ["1.2.3.4"]), ip("10.0.0.5"));

        let proxies: TrustedProxies = "10.0.0.0/8, 192.168.1.1".parse().unwrap();
        assert_eq!(proxies.client(ip("10.0.0.5"), ["1.2.3.4"]), ip("1.2.3.4"));
        // A client's own made-up hops before the real one are skipped.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), ["6.6.6.6, 1.2.3.4, 192.168.1.1"]),
            ip("1.2.3.4")
        );
        assert_eq!(proxies.client(ip("10.0.0.5"), []), ip("10.0.0.5"));
        assert_eq!(proxies.client(ip("8.8.8.8"), ["1.2.3.4"]), ip("8.8.8.8"));
        assert!("not-an-ip".parse::<TrustedProxies>().is_err());
    }

    #[test]
    fn a_forged_line_before_the_proxys_own_is_not_believed() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        // HAProxy keeps a client's line and adds its own after it.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), ["6.6.6.6", "1.2.3.4"]),
            ip("1.2.3.4")
        );
        let mut headers = http::HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6".parse().unwrap());
        headers.append("x-forwarded-for", "1.2.3.4, 10.0.0.9".parse().unwrap());
        assert_eq!(proxies.client_of(ip("10.0.0.5"), &headers), ip("1.2.3.4"));
    }

    #[test]
    fn nothing_left_of_a_hop_that_is_not_an_address_is_believed() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        assert_eq!(
            proxies.client(ip("10.0.0.5"), ["6.6.6.6, junk, 10.0.0.7"]),
            ip("10.0.0.7")
        );
        let mut headers = http::HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6".parse().unwrap());
        headers.append(
            "x-forwarded-for",
            http::HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        assert_eq!(proxies.client_of(ip("10.0.0.5"), &headers), ip("10.0.0.5"));
    }
}
