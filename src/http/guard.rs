//! The link guard: which addresses a request may reach.
//!
//! Links found in feeds and pages are written by others, so following them
//! blindly would let a feed make pressd probe its own network (the router,
//! a database on localhost, the cloud metadata service at
//! 169.254.169.254). A guarded request refuses every address that is not
//! globally routable. The check runs inside DNS resolution (a filtering
//! [`reqwest::dns::Resolve`]), so the addresses checked are the addresses
//! connected to: a name cannot resolve to a public address for the check
//! and to 127.0.0.1 for the connection. IP-literal hosts, which reqwest
//! connects to without resolving, are checked by the client on every hop.
//!
//! A proxy set through the environment (`HTTP_PROXY`, `HTTPS_PROXY`)
//! resolves target names itself, and its own address then goes through
//! the guard: with a proxy, only IP-literal targets are checked, and a
//! proxy on a private address is refused for guarded requests. Deployments
//! behind such a proxy set `allow_private_addresses` and rely on the
//! proxy's own rules.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Which addresses a request may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Any address: for URLs the user configured (a feed on the local
    /// network is the user's choice).
    Any,
    /// Globally routable addresses only: for links discovered in feeds and
    /// pages.
    PublicOnly,
}

/// What kind of address an IP is, as far as the guard cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AddressClass {
    Public,
    Loopback,
    /// RFC 1918 and IPv6 unique-local (fc00::/7).
    Private,
    /// 169.254/16 and fe80::/10, where cloud metadata services answer.
    LinkLocal,
    /// Carrier-grade NAT, 100.64/10.
    SharedNat,
    Unspecified,
    Multicast,
    /// Documentation, benchmarking, reserved and other special-purpose
    /// ranges that no public web server lives in.
    Special,
}

impl AddressClass {
    /// Words for error messages: "127.0.0.1 is a loopback address".
    pub(super) fn describe(self) -> &'static str {
        match self {
            AddressClass::Public => "a public address",
            AddressClass::Loopback => "a loopback address",
            AddressClass::Private => "a private-network address",
            AddressClass::LinkLocal => {
                "a link-local address (where cloud metadata services answer)"
            }
            AddressClass::SharedNat => "a carrier-grade NAT address",
            AddressClass::Unspecified => "the unspecified address",
            AddressClass::Multicast => "a multicast address",
            AddressClass::Special => "a reserved, special-purpose address",
        }
    }
}

pub(super) fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// IPv4 ranges outside the named classes that no public web server
/// lives in (RFC 6890).
const SPECIAL_V4: &[([u8; 4], u32)] = &[
    ([0, 0, 0, 0], 8),       // "this network"
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
    ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
    ([240, 0, 0, 0], 4),     // reserved, and the broadcast address
];

fn in_v4_net(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, ..] = ip.octets();
    if ip.is_unspecified() {
        AddressClass::Unspecified
    } else if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_private() {
        AddressClass::Private
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if a == 100 && (b & 0xc0) == 64 {
        AddressClass::SharedNat
    } else if ip.is_multicast() {
        AddressClass::Multicast
    } else if SPECIAL_V4
        .iter()
        .any(|&(net, prefix)| in_v4_net(ip, net, prefix))
    {
        AddressClass::Special
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    // Addresses that carry an IPv4 address reach that address (mapped,
    // NAT64, 6to4), so they are judged by it.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return classify_v4(embedded_v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return classify_v4(embedded_v4(s[1], s[2]));
    }
    if ip.is_unspecified() {
        AddressClass::Unspecified
    } else if ip.is_loopback() {
        AddressClass::Loopback
    } else if (s[0] & 0xfe00) == 0xfc00 {
        AddressClass::Private
    } else if (s[0] & 0xffc0) == 0xfe80 {
        AddressClass::LinkLocal
    } else if ip.is_multicast() {
        AddressClass::Multicast
    } else if (s[0] & 0xe000) != 0x2000 {
        // Outside 2000::/3, the only range handed out for global unicast.
        AddressClass::Special
    } else if s[0] == 0x2001 && (s[1] < 0x200 || s[1] == 0xdb8) {
        // IETF protocol assignments (Teredo among them) and documentation.
        AddressClass::Special
    } else {
        AddressClass::Public
    }
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    Ipv4Addr::from((u32::from(high) << 16) | u32::from(low))
}

/// A DNS answer with no public address, raised by [`PublicOnlyResolver`]
/// and turned into `FetchError::Forbidden` by the client.
#[derive(Debug, thiserror::Error)]
#[error("{name} resolves only to addresses that are not public ({address} is {})", classify(*address).describe())]
pub(super) struct Blocked {
    pub(super) name: String,
    pub(super) address: IpAddr,
}

/// The system resolver, with every non-public address dropped from the
/// answer. A name with some public addresses keeps those; a name with none
/// fails with [`Blocked`].
#[derive(Debug, Default)]
pub(super) struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all
                .iter()
                .copied()
                .filter(|a| classify(a.ip()) == AddressClass::Public)
                .collect();
            match all.first() {
                Some(first) if public.is_empty() => Err(Box::new(Blocked {
                    name,
                    address: first.ip(),
                }) as _),
                _ => Ok(Box::new(public.into_iter()) as Addrs),
            }
        })
    }
}

/// The blocked address behind a transport error, if the guard caused it.
pub(super) fn blocked_in(error: &(dyn std::error::Error + 'static)) -> Option<IpAddr> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(blocked) = e.downcast_ref::<Blocked>() {
            return Some(blocked.address);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> AddressClass {
        classify(text.parse().expect("an IP address"))
    }

    #[test]
    fn non_public_ranges_are_recognised() {
        for (ip, expected) in [
            ("127.0.0.1", AddressClass::Loopback),
            ("127.255.0.9", AddressClass::Loopback),
            ("::1", AddressClass::Loopback),
            ("10.1.2.3", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.255", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("fd12:3456::1", AddressClass::Private),
            ("fc00::1", AddressClass::Private),
            ("169.254.169.254", AddressClass::LinkLocal),
            ("fe80::1", AddressClass::LinkLocal),
            ("100.64.0.1", AddressClass::SharedNat),
            ("100.127.255.255", AddressClass::SharedNat),
            ("0.0.0.0", AddressClass::Unspecified),
            ("::", AddressClass::Unspecified),
            ("224.0.0.1", AddressClass::Multicast),
            ("ff02::1", AddressClass::Multicast),
            ("255.255.255.255", AddressClass::Special),
            ("0.1.2.3", AddressClass::Special),
            ("192.0.2.7", AddressClass::Special),
            ("198.18.0.1", AddressClass::Special),
            ("2001:db8::1", AddressClass::Special),
            ("::ffff:127.0.0.1", AddressClass::Loopback),
            ("::ffff:169.254.169.254", AddressClass::LinkLocal),
            ("64:ff9b::a00:1", AddressClass::Private),
            ("2002:7f00:1::", AddressClass::Loopback),
        ] {
            assert_eq!(class(ip), expected, "{ip}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.169.0.1",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(class(ip), AddressClass::Public, "{ip}");
        }
    }

    #[tokio::test]
    async fn localhost_is_blocked_by_the_resolver() {
        let name: Name = "localhost".parse().expect("a name");
        let error = match PublicOnlyResolver.resolve(name).await {
            Ok(_) => panic!("localhost must not resolve to a public address"),
            Err(e) => e,
        };
        let address = blocked_in(error.as_ref()).expect("a Blocked error");
        assert_eq!(classify(address), AddressClass::Loopback);
    }
}
