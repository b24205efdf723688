package paycoolstest

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// The hosted pages a payer opens from the links the API hands out (payData, checkoutUrl,
// qrLink, authUrl, ekycUrl, guideUrl, shortLink). Every id goes into a link or a form action
// as one escaped path segment (pagePath) and comes back out of the request's escaped path
// (pathSegments), so that an order id holding "#", "?", "%", "/", "+", a space or non-ASCII
// text is the order the page shows and the order its buttons settle.

// pagePath is "/seg1/seg2/...", each segment escaped as one path segment.
func pagePath(segs ...string) string {
	var b strings.Builder
	for _, seg := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(seg))
	}
	return b.String()
}

// pageURL is the absolute address of a hosted page or control route (see pagePath).
func (s *Server) pageURL(segs ...string) string { return s.url + pagePath(segs...) }

// pathSegments splits the request's escaped path into its unescaped segments; false when a
// segment is not a valid escape.
func pathSegments(r *http.Request) ([]string, bool) {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for i, seg := range segs {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return nil, false
		}
		segs[i] = u
	}
	return segs, true
}

// sandboxMerchant is the name a page shows when the order carries no appName.
const sandboxMerchant = "Sandbox merchant"

// merchantName is the merchant name a page shows: the order's appName, else sandboxMerchant.
func merchantName(appName string) string {
	if appName == "" {
		return sandboxMerchant
	}
	return appName
}

// page is one hosted page: a payer's view of one order and its controls, or the result of a
// control.
type page struct {
	Status   int
	Title    string
	Merchant string
	Amount   string // formatted in the currency's own form, e.g. "₱500.10" or "Rp 50,000"
	Facts    [][2]string
	State    string // the order's final state in words ("Paid"); "" while it is open
	Message  string // a result or error in words
	Hint     string // what to do next, naming the HTTP control routes
	Forms    []pageForm
	QR       template.URL // data: URL of the QR image
	Callback *callbackView
	Return   string // where the payer goes back to: the order's redirectUrl, or its page
	ReturnTo string // the label of the Return link
	Routes   []string
}

// pageForm is one button, posting to a control route.
type pageForm struct {
	Label   string
	Action  string // escaped path of the control route
	Channel string
	Amount  bool   // ask for an amount, in pesos
	Limits  string // the amounts accepted, in words
	Primary bool
}

// callbackView is a callback as a result page shows it.
type callbackView struct {
	EventName, URL, Param, Reply, Error string
	Status                              int
	Acknowledged                        bool
}

// form is a button for action on id.
func form(label, action, id string, primary bool) pageForm {
	return pageForm{Label: label, Action: pagePath("sandbox", action, id), Primary: primary}
}

// money renders an amount in minor units in the currency's own form: PHP 50010 is "₱500.10",
// IDR 50000 (whole rupiah) is "Rp 50,000".
func money(a paycools.Amount, currency string) string {
	v := int64(a)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	decimals := 2
	if currency == string(paycools.CurrencyIDR) {
		decimals = 0
	}
	whole, frac := v, int64(0)
	if decimals == 2 {
		whole, frac = v/100, v%100
	}
	digits := strconv.FormatInt(whole, 10)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	n := b.String()
	if decimals == 2 {
		n += "." + strconv.FormatInt(100+frac, 10)[1:]
	}
	switch currency {
	case "", string(paycools.CurrencyPHP):
		return sign + "₱" + n
	case string(paycools.CurrencyIDR):
		return sign + "Rp " + n
	case string(paycools.CurrencyMYR):
		return sign + "RM " + n
	case string(paycools.CurrencyTHB):
		return sign + "฿" + n
	}
	return sign + n + " " + currency
}

// limits is the amount range of a VA or bank-transfer account in words.
func limits(lo, hi paycools.Amount) string {
	switch {
	case lo > 0 && hi > 0:
		return "from " + money(lo, "PHP") + " to " + money(hi, "PHP")
	case lo > 0:
		return "at least " + money(lo, "PHP")
	case hi > 0:
		return "at most " + money(hi, "PHP")
	}
	return "any amount above ₱0.00"
}

// finalWords is a final state as the payer reads it; "" for a state that is still open.
func finalWords(status string) string {
	switch status {
	case statusCompleted:
		return "Paid"
	case statusFailed:
		return "Payment failed"
	case "CLOSED":
		return "Closed by the merchant"
	case kycApproved:
		return "Approved"
	case kycRejected:
		return "Rejected"
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"orDash": orDash}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
<style>
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
main{max-width:32rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12);margin-bottom:1rem}
h1{font-size:1.35rem;margin:.2rem 0 .6rem;overflow-wrap:anywhere}
.merchant{color:#555;margin:0}
.amount{font-size:2rem;font-weight:700;margin:.4rem 0}
dl{display:grid;grid-template-columns:minmax(6rem,auto) 1fr;gap:.35rem .8rem;margin:.6rem 0}
dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
.state{font-size:1.25rem;font-weight:700;padding:.6rem .8rem;border-radius:8px;background:#e8f0fe}
.note{font-size:.85rem;color:#666}
form{margin:.6rem 0}
label{display:block;font-weight:600;margin-bottom:.25rem}
input{width:100%;font-size:1.1rem;min-height:44px;padding:.4rem .6rem;border:1px solid #888;border-radius:8px}
button,.button{display:block;width:100%;min-height:48px;font-size:1.1rem;font-weight:600;border-radius:8px;border:1px solid #1a56db;background:#fff;color:#1a56db;margin-top:.5rem;text-align:center;text-decoration:none;line-height:46px;cursor:pointer}
button.primary,.button.primary{background:#1a56db;color:#fff}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f5f7;padding:.6rem;border-radius:8px;font-size:.8rem;margin:.3rem 0}
img.qr{display:block;width:100%;max-width:18rem;height:auto;margin:.6rem auto;image-rendering:pixelated}
code{overflow-wrap:anywhere}
</style>
<script>
// Back (the back-forward cache) must not show a paid order with live buttons: reload it.
addEventListener("pageshow", function (e) { if (e.persisted) location.reload(); });
</script>
</head><body><main>
<div class="card">
{{if .Merchant}}<p class="merchant">{{.Merchant}}</p>{{end}}
<h1 id="title">{{.Title}}</h1>
{{if .Amount}}<p class="amount" id="amount">{{.Amount}}</p>{{end}}
{{if .State}}<p class="state" id="state" role="status">{{.State}}</p>{{end}}
{{if .Message}}<p id="message">{{.Message}}</p>{{end}}
{{with .QR}}<img class="qr" src="{{.}}" alt="QR code to scan with a banking or e-wallet app">{{end}}
{{if .Facts}}<dl>{{range .Facts}}<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}</dl>{{end}}
{{range $i, $f := .Forms}}<form method="post" action="{{$f.Action}}"><input type="hidden" name="html" value="1">
{{if $f.Channel}}<input type="hidden" name="channel" value="{{$f.Channel}}">{{end}}
{{if $f.Amount}}<label for="amount{{$i}}">Amount in pesos</label>
<input id="amount{{$i}}" name="pesos" inputmode="decimal" autocomplete="off" placeholder="500.00" required aria-describedby="limits{{$i}}">
<p class="note" id="limits{{$i}}">{{$f.Limits}}</p>{{end}}
<button type="submit"{{if $f.Primary}} class="primary"{{end}}>{{$f.Label}}</button></form>
{{end}}
{{if .Return}}<a class="button primary" id="return" href="{{.Return}}">{{or .ReturnTo "Back to the merchant"}}</a>{{end}}
{{if .Hint}}<p class="note">{{.Hint}}</p>{{end}}
</div>
{{with .Callback}}<div class="card" id="callback"><h2>Callback sent</h2>
<dl><dt>Event</dt><dd>{{.EventName}}</dd><dt>Sent to</dt><dd>{{orDash .URL}}</dd>
<dt>Merchant reply</dt><dd>{{if .Status}}HTTP {{.Status}}{{else}}none{{end}}{{if .Acknowledged}}, acknowledged{{end}}</dd>
{{if .Error}}<dt>Delivery</dt><dd>{{.Error}}</dd>{{end}}</dl>
<p class="note">Parameters sent</p><pre>{{.Param}}</pre>
{{if .Reply}}<p class="note">Reply body</p><pre>{{.Reply}}</pre>{{end}}
</div>{{end}}
<p class="note">PayCools sandbox (paycoolstest): nothing here moves real money.{{range .Routes}}<br><code>{{.}}</code>{{end}}</p>
</main></body></html>`))

// renderPage writes p as an HTML page with its status (200 when unset).
func renderPage(w http.ResponseWriter, p page) {
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store") // Back shows the order as it is now
	w.WriteHeader(p.Status)
	_ = pageTmpl.Execute(w, p)
}

// routesOf lists the control routes the forms of p post to, for a tester without a browser.
func (s *Server) routesOf(p *page) {
	for _, f := range p.Forms {
		r := "POST " + s.url + f.Action
		if f.Channel != "" {
			r += " channel=" + f.Channel
		}
		if f.Amount {
			r += " amount=<centavos>"
		}
		p.Routes = append(p.Routes, r)
	}
}

// notFoundPage is the page of an unknown id or path.
func notFoundPage(what string) page {
	return page{Status: http.StatusNotFound, Title: "Not found",
		Message: "The sandbox holds no " + what + ". Links stay valid only as long as the sandbox that made them runs.",
		Hint:    "GET /sandbox/requests lists the requests this sandbox received."}
}

// pageKinds are the first path segments of the payer pages (a GET of two segments or more),
// with what each page shows.
var pageKinds = map[string]string{"pay": "web payment", "checkout": "checkout", "authorize": "authorization request",
	"ekyc": "eKYC request", "qr": "QR code", "guide": "virtual account or bank-transfer account", "s": "payment link"}

// servePage answers the hosted pages; false when the path is not one of them.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) bool {
	seg, valid := pathSegments(r)
	if len(seg) == 1 && seg[0] == "favicon.ico" {
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	if len(seg) < 2 {
		return false
	}
	kind, known := pageKinds[seg[0]]
	if !known {
		return false
	}
	var p *page
	if valid {
		s.mu.Lock()
		p = s.pageFor(seg, r.URL.EscapedPath())
		s.mu.Unlock()
	}
	if p == nil {
		renderPage(w, notFoundPage(kind+" at this address"))
		return true
	}
	s.routesOf(p)
	renderPage(w, *p)
	return true
}

// pageFor builds the page at seg; nil when it names nothing the gateway holds. The caller
// holds s.mu.
func (s *Server) pageFor(seg []string, escaped string) *page {
	now := s.now()
	switch {
	case seg[0] == "pay" && len(seg) == 2:
		if wp := s.st.webByTx[seg[1]]; wp != nil {
			p := s.orderPage("Web payment", wp.mchOrderID, wp.amount, wp.currency, wp.status,
				[][2]string{{"Customer", orDash(wp.customerName)}, {"Remark", orDash(wp.remark)}, {"Channel", wp.channel}},
				"complete-web-payment", "fail-web-payment", "Pay", "Fail")
			p.Merchant = merchantName(wp.appName)
			return p
		}
	case seg[0] == "checkout" && len(seg) == 2:
		if co := s.st.checkoutIDs[seg[1]]; co != nil {
			status := co.status
			p := s.orderPage("Checkout", co.mchOrderID, co.amount, co.currency, status,
				[][2]string{{"Customer", orDash(co.customerName)}, {"Remark", orDash(co.remark)}, {"Expires", isoTime(co.expires)}},
				"pay-checkout", "fail-checkout", "Pay", "Fail")
			if status == statusPending && now.After(co.expires) {
				p.State, p.Forms = "Expired", nil
			}
			return p
		}
	case seg[0] == "authorize" && len(seg) == 2:
		if a := s.st.auths[seg[1]]; a != nil {
			p := &page{Title: "Link your " + a.channel + " account", Merchant: sandboxMerchant,
				Facts: [][2]string{{"User", a.userID}, {"Request", a.requestID}, {"Channel", a.channel}}}
			p.State = finalWords(a.state)
			if p.State == "" {
				p.Forms = []pageForm{form("Approve", "approve-authorization", a.requestID, true), form("Reject", "reject-authorization", a.requestID, false)}
			} else {
				p.Return = a.redirectURL
			}
			return p
		}
	case seg[0] == "ekyc" && len(seg) == 2:
		if e := s.st.ekyc[seg[1]]; e != nil {
			p := &page{Title: "Verify your identity", Merchant: sandboxMerchant,
				Facts: [][2]string{{"User", e.userID}, {"Request", e.requestID}, {"Channel", e.channel}}}
			p.State = finalWords(e.status)
			if p.State == "" {
				p.Forms = []pageForm{form("Approve", "complete-ekyc", e.requestID, true), form("Reject", "reject-ekyc", e.requestID, false)}
			} else {
				p.Return = e.redirectURL
			}
			return p
		}
	case seg[0] == "qr" && len(seg) == 2:
		for _, q := range s.st.qrs {
			if q.qrID == seg[1] {
				return s.qrPage(q, now)
			}
		}
	case seg[0] == "s" && len(seg) == 2:
		link := s.url + escaped
		for _, g := range s.st.vaGroups {
			if g.shortLink == link {
				return s.vaPage(g, nil, now)
			}
		}
		for _, g := range s.st.btGroups {
			if g.shortLink == link {
				return s.btPage(g, nil, now)
			}
		}
	case seg[0] == "guide" && len(seg) == 4 && seg[1] == "va":
		if g := s.st.vaGroups[seg[2]]; g != nil && g.va(seg[3]) != nil {
			return s.vaPage(g, g.va(seg[3]), now)
		}
	case seg[0] == "guide" && len(seg) == 4 && seg[1] == "bt":
		if g := s.st.btGroups[seg[2]]; g != nil && g.account(seg[3]) != nil {
			return s.btPage(g, g.account(seg[3]), now)
		}
	}
	return nil
}

// orderPage is the page of an order with a fixed amount and a Pay / Fail pair.
func (s *Server) orderPage(kind, mchOrderID string, amount paycools.Amount, currency, status string,
	facts [][2]string, payAction, failAction, payLabel, failLabel string) *page {
	p := &page{Title: kind + " " + mchOrderID, Merchant: sandboxMerchant, Amount: money(amount, currency),
		Facts: append([][2]string{{"Order", mchOrderID}, {"Currency", currency}}, facts...)}
	p.State = finalWords(status)
	if p.State == "" {
		p.Forms = []pageForm{form(payLabel, payAction, mchOrderID, true), form(failLabel, failAction, mchOrderID, false)}
	}
	return p
}

// qrPage is the page of a QR code: the image to scan, and Pay (an amount for a static QR) /
// Fail while it can be paid.
func (s *Server) qrPage(q *qrCode, now time.Time) *page {
	p := &page{Title: "QR code " + q.mchOrderID, Merchant: merchantName(q.appName),
		Facts: [][2]string{{"Order", q.mchOrderID}, {"Customer", orDash(q.customerName)}, {"Remark", orDash(q.remark)},
			{"Channel", q.channel}, {"QR content", q.content()}}}
	if img := qrDataURL(q.content()); img != "" {
		p.QR = template.URL(img)
	}
	switch {
	case !q.active:
		p.State = "Cancelled"
	case q.static():
		pay := form("Pay", "pay-qr-code", q.mchOrderID, true)
		pay.Amount, pay.Limits = true, limits(0, 0)
		p.Forms = []pageForm{pay}
	default:
		p.Amount = money(q.amount, "PHP")
		switch {
		case finalWords(q.txStatus) != "":
			p.State = finalWords(q.txStatus) + " (this QR code takes one payment)"
		case now.After(q.expires):
			p.State = "Expired"
		default:
			p.Forms = []pageForm{form("Pay", "pay-qr-code", q.mchOrderID, true), form("Fail", "fail-qr-code", q.mchOrderID, false)}
		}
	}
	return p
}

// expired reports whether a yyyy-MM-dd expiry day ("" = never) has passed.
func expired(day string, now time.Time) bool { return day != "" && wireDate(now) > day }

// vaPage is the page of a VA group: one VA (a guide link) or every active one (the short link).
func (s *Server) vaPage(g *vaGroup, only *virtualAccount, now time.Time) *page {
	p := &page{Title: "Pay order " + g.mchOrderID, Merchant: merchantName(g.appName),
		Facts: [][2]string{{"Order", g.mchOrderID}, {"Customer", orDash(g.customerName)}, {"Remark", orDash(g.remark)}}}
	if g.expireDay != "" {
		p.Facts = append(p.Facts, [2]string{"Expires", g.expireDay})
	}
	for _, v := range g.vas {
		if only != nil && v != only {
			continue
		}
		p.Facts = append(p.Facts, [2]string{billerFor(v.channel) + " reference", v.reference})
		if !v.active {
			p.Facts = append(p.Facts, [2]string{v.channel, "no longer active"})
			continue
		}
		f := form("Pay via "+v.channel, "pay-virtual-account", g.mchOrderID, true)
		f.Channel, f.Amount, f.Limits = v.channel, true, limits(g.minAmount, g.maxAmount)
		p.Forms = append(p.Forms, f)
	}
	if expired(g.expireDay, now) {
		p.State, p.Forms = "Expired", nil
	} else if len(p.Forms) == 0 {
		p.State = "No longer payable"
	}
	return p
}

// btPage is the page of a bank-transfer group: one account (a guide link) or every active one.
func (s *Server) btPage(g *btGroup, only *btAccount, now time.Time) *page {
	p := &page{Title: "Bank transfer for order " + g.mchOrderID, Merchant: merchantName(g.appName),
		Facts: [][2]string{{"Order", g.mchOrderID}, {"Customer", orDash(g.customerName)}, {"Remark", orDash(g.description)},
			{"Bank", "AllBank"}, {"Account name", "PayCools"}}}
	active := false
	for _, a := range g.accounts {
		if only != nil && a != only {
			continue
		}
		p.Facts = append(p.Facts, [2]string{"Account number (" + a.channel + ")", a.number})
		active = active || a.active
	}
	switch {
	case expired(g.expireDay, now):
		p.State = "Expired"
	case !active:
		p.State = "No longer payable"
	default:
		f := form("Transfer", "pay-bank-transfer", g.mchOrderID, true)
		f.Amount, f.Limits = true, limits(g.minAmount, g.maxAmount)
		p.Forms = []pageForm{f}
	}
	return p
}
