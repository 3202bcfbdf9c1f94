package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Networks are addresses and networks: "127.0.0.1, 10.0.0.0/8, fd00::/8".
type Networks []netip.Prefix

// ParseNetworks reads a list of addresses and networks (CIDR), separated
// by commas or spaces: "127.0.0.1, 10.0.0.0/8, fd00::/8".
func ParseNetworks(s string) (Networks, error) {
	var out Networks
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a network (10.0.0.0/8)", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Contains reports whether a is in one of the networks.
func (ns Networks) Contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ns {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Proxies are the reverse proxies in front of pressroom
// (PRESSROOM_TRUSTED_PROXIES): a request that comes through one of them
// is from the client its X-Forwarded-For names. From anyone else the
// header is not believed, since a client can write whatever it likes there.
type Proxies = Networks

// ParseProxies reads the proxies as ParseNetworks does.
func ParseProxies(s string) (Proxies, error) { return ParseNetworks(s) }

func (ps Proxies) trusts(a netip.Addr) bool { return ps.Contains(a) }

// From answers nil when r comes from one of nets: its client (Client) is
// in them; else why not. A request from a peer that is not a trusted proxy
// but names a client in X-Forwarded-For or Forwarded came through a proxy
// nobody vouches for, so its client is unknown: it is from none of nets.
func (ps Proxies) From(r *http.Request, nets Networks) error {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("the client's address %q is not an IP address", host)
	}
	if (r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "") && !ps.trusts(peer) {
		return fmt.Errorf("the request was forwarded by %s, which is not a trusted proxy, so its client is unknown", peer.Unmap())
	}
	client, err := netip.ParseAddr(ps.Client(r))
	if err != nil || !nets.Contains(client) {
		return fmt.Errorf("the client %s is not in them", ps.Client(r))
	}
	return nil
}

// Client is the address of the client that sent r: the connection's peer,
// or, when the peer is a trusted proxy, the nearest address in
// X-Forwarded-For (or, without it, in the for= of the standard Forwarded
// header, RFC 7239) that is not one of them (the proxies append, so the
// entries before it are the client's to write). When the header holds
// something that is no address, the last proxy that wrote a good one is
// the client as far as anyone can tell.
func (ps Proxies) Client(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if len(ps) == 0 || !ps.trusts(peer) {
		return peer.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	if len(hops) == 0 {
		hops = forwardedFor(r.Header.Values("Forwarded"))
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !ps.trusts(a) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

// forwardedFor lists the for= addresses of Forwarded headers, in order
// (RFC 7239: for=192.0.2.60, for="[2001:db8::1]:4711"). A hop whose for= is
// no address ("unknown", an obfuscated name) is kept as written, so the
// walk stops there.
func forwardedFor(values []string) []string {
	var out []string
	for _, v := range values {
		for _, elem := range strings.Split(v, ",") {
			hop := "unknown"
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok || !strings.EqualFold(k, "for") {
					continue
				}
				val = strings.Trim(val, `"`)
				if strings.HasPrefix(val, "[") { // IPv6, with or without a port
					if end := strings.IndexByte(val, ']'); end > 0 {
						val = val[1:end]
					}
				} else if host, _, err := net.SplitHostPort(val); err == nil {
					val = host
				}
				hop = val
			}
			out = append(out, hop)
		}
	}
	return out
}

type clientKey struct{}

// Client answers the client's address that Observe found for the request
// of ctx ("" outside Observe).
func Client(ctx context.Context) string {
	c, _ := ctx.Value(clientKey{}).(string)
	return c
}
