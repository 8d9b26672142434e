// Package trackpage is the customer tracking page `parcelcast serve`
// serves: a shipment's story and arrival window at /track/{tracking_number},
// every shipment of an order at /track?order=…&postal_code=…, and the
// delivery options as forms. It renders from the predict server's views
// (the live state), with html/template, no script and no outside asset.
package trackpage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"github.com/parcelcast/parcelcast/predict"
)

// Views is what the page reads and does through the predict server.
type Views interface {
	ShipmentView(ctx context.Context, trackingNumber string) (predict.Shipment, predict.ShipmentResponse, *predict.Problem)
	OrderShipments(ctx context.Context, orderRef string, keep func(*predict.Shipment) bool) ([]predict.OrderView, *predict.Problem)
	OptionsOf(sh *predict.Shipment) predict.OptionsResponse
	GiveInstruction(ctx context.Context, trackingNumber, key string, req predict.InstructionRequest) (predict.InstructionResponse, *predict.Problem)
	CancelInstruction(ctx context.Context, trackingNumber, id string) (predict.InstructionResponse, *predict.Problem)
	TakesInstructions() bool
	Now() time.Time
}

// Router takes the page's routes (predict.Server.HandlePage).
type Router interface {
	HandlePage(pattern, route string, h http.HandlerFunc)
}

// Options configure a Page; zero fields take Defaults.
type Options struct {
	// Brand is the name in the page's header.
	Brand string
	// Locale makes the words and dates (English when nil).
	Locale *Locale
	// Secret signs the forms' CSRF tokens: replicas behind one name need
	// the same; a random one is made when empty.
	Secret []byte
	// TokenTTL is how long a page's forms stay valid.
	TokenTTL time.Duration
	// Points lists pickup points; without it no hold is offered.
	Points PickupPoints
	// PerClient is each client address's rate of page requests and
	// Burst its burst; order lookups and forms cost LookupCost of them
	// (guessing orders is slow). PerClient < 0 turns the limit off.
	PerClient  float64
	Burst      int
	LookupCost int
	// MaxForm bounds a form's body, in bytes.
	MaxForm int64
	// MaxInFlight caps the pages being made at once (beyond it: 503),
	// apart from the API's own cap.
	MaxInFlight int
	// ConfirmTries is how many wrong postal codes a parcel's forms take
	// (by number alone) before they are refused for a while; one more
	// try comes back every ConfirmEvery.
	ConfirmTries int
	ConfirmEvery time.Duration
	Log          *slog.Logger
}

// Defaults are the page's settings.
var Defaults = Options{Brand: "parcelcast", TokenTTL: 2 * time.Hour, PerClient: 5, Burst: 30, LookupCost: 5, MaxForm: 16 << 10,
	MaxInFlight: 256, ConfirmTries: 5, ConfirmEvery: 2 * time.Hour}

// maxClients is how many client addresses' rate limiters are kept.
const maxClients = 65536

// Page serves the tracking pages.
type Page struct {
	views   Views
	loc     *Locale
	brand   string
	tokens  *tokens
	points  PickupPoints
	opts    Options
	log     *slog.Logger
	tmpl    *template.Template
	style   template.CSS
	csp     string
	origins *http.CrossOriginProtection
	clients *lru.Cache[string, *rate.Limiter]
	// confirms are each parcel's wrong postal codes left.
	confirms *lru.Cache[string, *rate.Limiter]
	mu       sync.Mutex // makes each client's and parcel's limiter once
	inFlight chan struct{}
}

//go:embed templates/*.html templates/style.css
var files embed.FS

// New returns the page over the server's views.
func New(v Views, opts Options) (*Page, error) {
	d := Defaults
	if opts.Brand == "" {
		opts.Brand = d.Brand
	}
	if opts.Locale == nil {
		opts.Locale = English
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = d.TokenTTL
	}
	if opts.PerClient == 0 {
		opts.PerClient = d.PerClient
	}
	if opts.Burst <= 0 {
		opts.Burst = d.Burst
	}
	if opts.LookupCost <= 0 {
		opts.LookupCost = d.LookupCost
	}
	opts.LookupCost = min(opts.LookupCost, opts.Burst) // a lookup must fit in a burst
	if opts.MaxForm <= 0 {
		opts.MaxForm = d.MaxForm
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = d.MaxInFlight
	}
	if opts.ConfirmTries <= 0 {
		opts.ConfirmTries = d.ConfirmTries
	}
	if opts.ConfirmEvery <= 0 {
		opts.ConfirmEvery = d.ConfirmEvery
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	p := &Page{inFlight: make(chan struct{}, opts.MaxInFlight), views: v, loc: opts.Locale, brand: opts.Brand, tokens: newTokens(opts.Secret, opts.TokenTTL),
		points: opts.Points, opts: opts, log: opts.Log, origins: http.NewCrossOriginProtection()}
	css, err := files.ReadFile("templates/style.css")
	if err != nil {
		return nil, err
	}
	p.style = template.CSS(css) // the page's own stylesheet, embedded: trusted
	sum := sha256.Sum256(css)
	p.csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	p.tmpl, err = template.New("page").Funcs(template.FuncMap{"t": p.loc.T, "heading": heading}).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	if p.clients, err = lru.New[string, *rate.Limiter](maxClients); err != nil {
		return nil, err
	}
	if p.confirms, err = lru.New[string, *rate.Limiter](maxClients); err != nil {
		return nil, err
	}
	return p, nil
}

// heading is a section's heading: h2 under a shipment's h1, h3 under its
// h2 on an order's page.
func heading(inOrder bool, class, id, text string) template.HTML {
	tag := "h2"
	if inOrder {
		tag = "h3"
	}
	attrs := ` id="` + html.EscapeString(id) + `"`
	if class != "" {
		attrs = ` class="` + html.EscapeString(class) + `"` + attrs
	}
	return template.HTML("<" + tag + attrs + ">" + html.EscapeString(text) + "</" + tag + ">") // every part escaped above
}

// Register adds the page's routes to r.
func (p *Page) Register(r Router) {
	r.HandlePage("GET /track/{tracking_number}", "track", p.capped(p.handleShipment))
	r.HandlePage("GET /track", "track_order", p.capped(p.handleOrder))
	r.HandlePage("POST /track/{tracking_number}/instructions", "track_instruction", p.capped(p.handleInstruction))
}

// capped answers 503 beyond MaxInFlight pages being made.
func (p *Page) capped(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case p.inFlight <- struct{}{}:
			defer func() { <-p.inFlight }()
		default:
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Cache-Control", "no-store")
			p.render(w, http.StatusServiceUnavailable, pageData{Message: p.loc.T("error"), Text: p.loc.T("busy")})
			return
		}
		h(w, r)
	}
}

// pageData is what the page template is given.
type pageData struct {
	Lang, Title, Brand string
	Style              template.CSS
	Heading            string // the page's h1 above the shipments (an order)
	Message, Text      string // a page without shipments: its heading and text
	Lookup             bool   // show the order lookup form
	OrderRef, Postal   string
	Shipments          []shipmentData
}

func (p *Page) handleShipment(w http.ResponseWriter, r *http.Request) {
	if !p.allow(w, r, 1) {
		return
	}
	number := r.PathValue("tracking_number")
	sh, v, prob := p.views.ShipmentView(r.Context(), number)
	if prob != nil {
		p.problem(w, prob, pageData{Message: p.loc.T("not_found"), Text: p.loc.T("not_found_text")})
		return
	}
	d := p.shipment(&sh, &v, false)
	d.Done = r.URL.Query().Get("done") == "1"
	d.Back = "/track/" + url.PathEscape(v.TrackingNumber)
	// Asked again each time (it changes with each scan), answered 304 when
	// it has not changed.
	w.Header().Set("Cache-Control", "private, no-cache")
	p.renderTagged(w, r, pageData{Title: d.Headline, Shipments: []shipmentData{d}})
}

// shipment is the page's view of one shipment with its options.
func (p *Page) shipment(sh *predict.Shipment, v *predict.ShipmentResponse, verified bool) shipmentData {
	var opts *predict.OptionsResponse
	if p.views.TakesInstructions() {
		o := p.views.OptionsOf(sh)
		opts = &o
	}
	return p.build(sh, v, opts, p.views.Now(), verified)
}

func (p *Page) handleOrder(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref, postal := strings.TrimSpace(q.Get("order")), strings.TrimSpace(q.Get("postal_code"))
	if ref == "" || postal == "" {
		if !p.allow(w, r, 1) {
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		p.render(w, http.StatusOK, pageData{Title: p.loc.T("lookup"), Lookup: true, OrderRef: ref, Postal: postal,
			Message: p.loc.T("lookup")})
		return
	}
	if !p.allow(w, r, p.opts.LookupCost) {
		return
	}
	notFound := pageData{Message: p.loc.T("order_not_found"), Text: p.loc.T("order_not_found_x"), Lookup: true, OrderRef: ref, Postal: postal}
	// A shipment of the order is shown only to who knows where it goes:
	// the others under the reference (another address, another shop's
	// order of the same number) are not.
	views, prob := p.views.OrderShipments(r.Context(), ref, func(sh *predict.Shipment) bool {
		return samePostalCode(postal, sh.Destination)
	})
	if prob != nil {
		if prob.Status == http.StatusBadRequest {
			prob = &predict.Problem{Status: http.StatusNotFound}
		}
		p.problem(w, prob, notFound)
		return
	}
	back := "/track?" + url.Values{"order": {ref}, "postal_code": {postal}}.Encode()
	data := pageData{Title: p.loc.T("order_title") + " " + ref, Heading: p.loc.T("order_title") + " " + ref}
	for i := range views {
		d := p.shipment(&views[i].Shipment, &views[i].View, true)
		d.Order, d.Back = true, back
		d.Heading = p.loc.T("shipment_n") + " " + strconv.Itoa(i+1) + " " + p.loc.T("of") + " " + strconv.Itoa(len(views))
		d.Done = q.Get("done") == views[i].View.TrackingNumber
		data.Shipments = append(data.Shipments, d)
	}
	w.Header().Set("Cache-Control", "no-store") // addresses given in full
	p.render(w, http.StatusOK, data)
}

func (p *Page) handleInstruction(w http.ResponseWriter, r *http.Request) {
	if !p.allow(w, r, p.opts.LookupCost) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if err := p.origins.Check(r); err != nil {
		p.problem(w, &predict.Problem{Status: http.StatusForbidden}, pageData{Message: p.loc.T("error"), Text: p.loc.T("cross_site")})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, p.opts.MaxForm)
	if err := r.ParseForm(); err != nil {
		p.problem(w, &predict.Problem{Status: http.StatusBadRequest}, pageData{Message: p.loc.T("error"), Text: p.loc.T("unreadable")})
		return
	}
	number := r.PathValue("tracking_number")
	f := r.PostForm
	sh, v, prob := p.views.ShipmentView(r.Context(), number)
	if prob != nil {
		p.problem(w, prob, pageData{Message: p.loc.T("not_found"), Text: p.loc.T("not_found_text")})
		return
	}
	now := p.views.Now()
	valid, verified := p.tokens.check(f.Get("csrf"), v.TrackingNumber, now)
	if !valid {
		p.problem(w, &predict.Problem{Status: http.StatusForbidden}, pageData{Message: p.loc.T("error"),
			Text: p.loc.T("expired")})
		return
	}
	back := f.Get("back")
	if !strings.HasPrefix(back, "/track") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/track/" + url.PathEscape(v.TrackingNumber)
	}
	refuse := func(status int, msg string) {
		d := p.shipment(&sh, &v, verified)
		d.FormError, d.Back = msg, back
		p.render(w, status, pageData{Title: d.Headline, Shipments: []shipmentData{d}})
	}
	if !verified {
		tries := p.confirmTries(v.TrackingNumber)
		if tries.Tokens() < 1 {
			w.Header().Set("Retry-After", strconv.Itoa(int(p.opts.ConfirmEvery/time.Second)))
			refuse(http.StatusTooManyRequests, p.loc.T("too_many_tries"))
			return
		}
		if !samePostalCode(f.Get("confirm_postal_code"), sh.Destination) {
			tries.Allow()
			refuse(http.StatusUnprocessableEntity, p.loc.T("postal_mismatch"))
			return
		}
	}
	if id := f.Get("cancel"); id != "" {
		if _, prob := p.views.CancelInstruction(r.Context(), v.TrackingNumber, id); prob != nil && prob.Code != "publish_failed" {
			refuse(prob.Status, p.refusal(prob))
			return
		}
		p.redirectBack(w, r, back, v.TrackingNumber)
		return
	}
	req, bad := p.request(sh.Carrier, f)
	if bad != "" {
		refuse(http.StatusUnprocessableEntity, bad+".")
		return
	}
	key := f.Get("key")
	if !strings.HasPrefix(key, "page-") {
		refuse(http.StatusBadRequest, p.loc.T("unreadable"))
		return
	}
	// Stored but not yet sent to the carrier is taken: the server sends
	// it again until the carrier integration has it.
	if _, prob := p.views.GiveInstruction(r.Context(), v.TrackingNumber, key, req); prob != nil && prob.Code != "publish_failed" {
		if prob.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(prob.RetryAfter/time.Second))))
		}
		refuse(prob.Status, p.refusal(prob))
		return
	}
	p.redirectBack(w, r, back, v.TrackingNumber)
}

// redirectBack answers a form taken: 303 to the page it came from, which
// says so and shows the request in the history.
func (p *Page) redirectBack(w http.ResponseWriter, r *http.Request, back, number string) {
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	done := "1"
	if strings.HasPrefix(back, "/track?") {
		done = url.QueryEscape(number)
	}
	http.Redirect(w, r, back+sep+"done="+done+"#history-"+url.PathEscape(number), http.StatusSeeOther)
}

// refusal says in the page's words why an instruction was refused: the
// API's message where it is about what the customer typed (a date, an
// address), a text of the locale otherwise.
func (p *Page) refusal(prob *predict.Problem) string {
	switch prob.Code {
	case "invalid_date", "invalid_address", "invalid_request":
		return sentence(prob.Message) + "."
	case "instruction_acted_on":
		return p.loc.T("acted_on_already")
	case "instruction_not_found":
		return p.loc.T("unreadable")
	case "instruction_pending":
		return p.loc.T("pending_request")
	case "idempotency_key_reused":
		return p.loc.T("form_changed")
	case "shipment_closed":
		return p.loc.T("closed")
	case "option_unavailable":
		return p.loc.T("unavailable")
	}
	return p.loc.T("busy")
}

// confirmTries is the limiter of a parcel's wrong postal codes.
func (p *Page) confirmTries(number string) *rate.Limiter {
	p.mu.Lock()
	defer p.mu.Unlock()
	lim, ok := p.confirms.Get(number)
	if !ok {
		lim = rate.NewLimiter(rate.Every(p.opts.ConfirmEvery), p.opts.ConfirmTries)
		p.confirms.Add(number, lim)
	}
	return lim
}

// problem answers a refusal as a page: the problem's status, its text
// the page given (a busy server says so instead). Only an unknown number
// may be cached, and then by the browser alone: an order's page or a
// form's answer names the order and the postal code.
func (p *Page) problem(w http.ResponseWriter, prob *predict.Problem, d pageData) {
	status := prob.Status
	switch {
	case status == http.StatusBadRequest && prob.Code == "invalid_tracking_number":
		status = http.StatusNotFound // a mistyped number is a number we do not know
	case status >= 500:
		d = pageData{Message: p.loc.T("error"), Text: p.loc.T("busy")}
		if prob.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(prob.RetryAfter/time.Second))))
		}
	}
	if status == http.StatusNotFound && d.OrderRef == "" && !d.Lookup {
		w.Header().Set("Cache-Control", "private, max-age=60")
	} else {
		w.Header().Set("Cache-Control", "no-store")
	}
	if d.Title == "" {
		d.Title = d.Message
	}
	p.render(w, status, d)
}

// allow spends cost of the client's rate, answering 429 when it is out.
func (p *Page) allow(w http.ResponseWriter, r *http.Request, cost int) bool {
	if p.opts.PerClient < 0 {
		return true
	}
	host := clientKey(r.RemoteAddr)
	p.mu.Lock()
	lim, ok := p.clients.Get(host)
	if !ok {
		lim = rate.NewLimiter(rate.Limit(p.opts.PerClient), p.opts.Burst)
		p.clients.Add(host, lim)
	}
	p.mu.Unlock()
	if lim.AllowN(time.Now(), cost) {
		return true
	}
	w.Header().Set("Retry-After", "5")
	w.Header().Set("Cache-Control", "no-store")
	p.render(w, http.StatusTooManyRequests, pageData{Message: p.loc.T("error"), Text: p.loc.T("busy")})
	return false
}

// clientKey is the rate limit's key of a client address: the address,
// or its /64 for IPv6 (one host's share of addresses).
func clientKey(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Is4() || ip.Is4In6() {
		return host
	}
	prefix, err := ip.Prefix(64)
	if err != nil {
		return host
	}
	return prefix.String()
}

var pagePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes the page, whole or not at all.
func (p *Page) render(w http.ResponseWriter, status int, d pageData) {
	p.write(w, nil, status, d)
}

// renderTagged writes a 200 page with an ETag of its content, or 304
// when the request's If-None-Match names it.
func (p *Page) renderTagged(w http.ResponseWriter, r *http.Request, d pageData) {
	p.write(w, r, http.StatusOK, d)
}

func (p *Page) write(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	d.Lang, d.Brand, d.Style = p.loc.Lang, p.brand, p.style
	if d.Title == "" {
		d.Title = p.loc.T("title")
	}
	d.Title += " – " + p.brand
	buf := pagePool.Get().(*bytes.Buffer)
	buf.Reset()
	defer pagePool.Put(buf)
	if err := p.tmpl.ExecuteTemplate(buf, "page.html", d); err != nil {
		p.log.Error("tracking page did not render", "err", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	if r != nil {
		sum := sha256.Sum256(buf.Bytes())
		tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
		h.Set("ETag", tag)
		if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, tag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
