package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// ErrUnsafeURL is an endpoint the notifier must not call: not http(s),
// without a host, or on a private, loopback or link-local address.
var ErrUnsafeURL = errors.New("webhooks: endpoint not allowed")

// Safety is what endpoints may be called.
type Safety struct {
	// AllowPrivate lets private and loopback addresses through (tests and
	// a local demo).
	AllowPrivate bool
	// Resolver resolves host names; net.DefaultResolver when nil.
	Resolver *net.Resolver
}

// CheckURL checks an endpoint when it is subscribed: its scheme, its host,
// and every address its host resolves to.
func (sf Safety) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnsafeURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q (http or https only)", ErrUnsafeURL, u.Scheme)
	}
	if u.Hostname() == "" || u.User != nil {
		return fmt.Errorf("%w: a host and no user information", ErrUnsafeURL)
	}
	if sf.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		return sf.checkAddr(ip)
	}
	r := sf.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("%w: resolve %s: %v", ErrUnsafeURL, host, err)
	}
	for _, a := range addrs {
		if err := sf.checkAddr(a); err != nil {
			return err
		}
	}
	return nil
}

func (sf Safety) checkAddr(ip netip.Addr) error {
	if sf.AllowPrivate {
		return nil
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || isShared(ip) {
		return fmt.Errorf("%w: address %s is private, loopback or link-local", ErrUnsafeURL, ip)
	}
	return nil
}

// shared is the carrier-grade NAT range, private in practice.
var shared = netip.MustParsePrefix("100.64.0.0/10")

func isShared(ip netip.Addr) bool { return shared.Contains(ip) }

// Client returns the HTTP client deliveries go through: each connection's
// address is checked when dialled (a name that resolves anew to a private
// address is still refused), a redirect is followed only on the same host,
// and every request has timeout.
func (sf Safety) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnsafeURL, err)
		}
		return sf.checkAddr(ap.Addr())
	}}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: timeout,
		ResponseHeaderTimeout: timeout, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return http.ErrUseLastResponse
		}
		if req.URL.Host != via[0].URL.Host || (via[0].URL.Scheme == "https" && req.URL.Scheme != "https") {
			return fmt.Errorf("%w: redirect to another host %s", ErrUnsafeURL, req.URL.Host)
		}
		return nil
	}}
}
