package httpx

import (
	"net/http/httptest"
	"testing"
)

func TestClientBehindProxies(t *testing.T) {
	proxies, err := ParseProxies("10.0.0.0/8, 192.0.2.1 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		proxies    Proxies
		want       string
		forwarded  []string // the standard header, RFC 7239
	}{
		{"no proxy trusted", "198.51.100.7:5000", []string{"1.2.3.4"}, nil, "198.51.100.7", nil},
		{"a peer that is no proxy", "198.51.100.7:5000", []string{"1.2.3.4"}, proxies, "198.51.100.7", nil},
		{"through one proxy", "10.1.2.3:5000", []string{"203.0.113.5"}, proxies, "203.0.113.5", nil},
		{"what the client wrote before is not believed", "10.1.2.3:5000", []string{"1.2.3.4, 203.0.113.5"}, proxies, "203.0.113.5", nil},
		{"through two proxies", "10.1.2.3:5000", []string{"1.2.3.4, 203.0.113.5, 192.0.2.1"}, proxies, "203.0.113.5", nil},
		{"headers given twice", "10.1.2.3:5000", []string{"1.2.3.4", "203.0.113.5, 10.9.9.9"}, proxies, "203.0.113.5", nil},
		{"IPv6", "[2001:db8::1]:5000", []string{"2001:db9::7"}, proxies, "2001:db9::7", nil},
		{"IPv4 in IPv6", "[::ffff:10.0.0.1]:5000", []string{"::ffff:203.0.113.5"}, proxies, "203.0.113.5", nil},
		{"no header", "10.1.2.3:5000", nil, proxies, "10.1.2.3", nil},
		{"garbage: the last proxy is all we know", "10.1.2.3:5000", []string{"203.0.113.5, nonsense, 10.2.2.2"}, proxies, "10.2.2.2", nil},
		{"only proxies", "10.1.2.3:5000", []string{"10.4.4.4"}, proxies, "10.4.4.4", nil},
		{"no port", "10.1.2.3", []string{"203.0.113.5"}, proxies, "203.0.113.5", nil},
		{"Forwarded", "10.1.2.3:5000", nil, proxies, "203.0.113.5", []string{`for=1.2.3.4, for=203.0.113.5;proto=https;by=10.1.2.3`}},
		{"Forwarded, IPv6 and ports", "10.1.2.3:5000", nil, proxies, "2001:db9::7", []string{`for="[2001:db9::7]:4711"`, `For="192.0.2.1:80"`}},
		{"Forwarded, an obfuscated hop", "10.1.2.3:5000", nil, proxies, "10.2.2.2", []string{`for=203.0.113.5, for=_hidden, for=10.2.2.2`}},
		{"Forwarded without for", "10.1.2.3:5000", nil, proxies, "10.1.2.3", []string{`proto=https;host=shop.example`}},
		{"Forwarded from a peer that is no proxy", "198.51.100.7:5000", nil, proxies, "198.51.100.7", []string{`for=1.2.3.4`}},
		{"X-Forwarded-For before Forwarded", "10.1.2.3:5000", []string{"203.0.113.5"}, proxies, "203.0.113.5", []string{`for=1.2.3.4`}},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		for _, v := range tc.forwarded {
			r.Header.Add("Forwarded", v)
		}
		if got := tc.proxies.Client(r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, bad := range []string{"proxy.internal", "10.0.0.0/33", "10.0.0.1:80"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q) took it", bad)
		}
	}
	if ps, err := ParseProxies(" "); err != nil || len(ps) != 0 {
		t.Errorf("an empty list: %v, %v", ps, err)
	}
}

func TestFromNetworks(t *testing.T) {
	proxies, _ := ParseProxies("10.0.0.1")
	nets, err := ParseNetworks("127.0.0.0/8, 192.168.0.0/16, fc00::/7")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer, xff string
		proxies         Proxies
		want            bool
	}{
		{"a client in them", "192.168.1.5:5000", "", nil, true},
		{"IPv4 in IPv6", "[::ffff:127.0.0.1]:5000", "", nil, true},
		{"IPv6", "[fd12::1]:5000", "", nil, true},
		{"a client outside", "203.0.113.5:5000", "", nil, false},
		{"forwarded by a proxy nobody trusts", "127.0.0.1:5000", "192.168.1.5", nil, false},
		{"through a trusted proxy, from inside", "10.0.0.1:5000", "192.168.1.5", proxies, true},
		{"through a trusted proxy, from outside", "10.0.0.1:5000", "203.0.113.5", proxies, false},
		{"the trusted proxy itself, outside them", "10.0.0.1:5000", "", proxies, false},
		{"no address", "pipe", "", nil, false},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if err := tc.proxies.From(r, nets); (err == nil) != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
