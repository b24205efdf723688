package paycoolstest

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
)

// SandboxPrefix is the path prefix of the control API served beside the PayCools API.
//
// The gateway also serves, on the same address, what a person needs to drive it by hand (the
// sandbox command): the hosted pages whose links the API hands out, and a small control API.
//
//	GET  /pay/{transactionId}           web payment page (Pay / Fail)
//	GET  /checkout/{checkoutId}         checkout page (Pay / Fail)
//	GET  /authorize/{requestId}         direct-debit authorization page (Approve / Reject)
//	GET  /ekyc/{requestId}              eKYC page (Approve / Reject)
//	GET  /qr/{qrCodeId}                 QR code page (Pay / Fail)
//	GET  /guide/va/{mchOrderId}/{ch}    virtual account guide (Pay an amount)
//	GET  /guide/bt/{mchOrderId}/{ch}    bank-transfer guide (Pay an amount)
//	GET  /s/{code}                      the short link of a VA group or bank-transfer account
//	POST /sandbox/{action}/{id}         run an outcome; form or query values amount, failedCode,
//	                                    message, channel; answers the callback result as JSON
//	POST /sandbox/redeliver/{index}     send callback {index} of /sandbox/callbacks (0 is the
//	                                    oldest) again, same param and sign bytes (Server.Redeliver);
//	                                    answers like an action: {"action","id","callback"}
//	GET  /sandbox/requests              the requests received (JSON)
//	GET  /sandbox/callbacks             the callbacks sent (JSON)
//	GET  /sandbox/balance               the balance (JSON); POST with amount= sets it
//	POST /sandbox/callback-url          url= sets the dashboard callback URL (empty unsets it)
//	POST /sandbox/verification-url      url= sets the repayment verification URL (empty unsets it)
//
// The two URL routes take an absolute http or https URL with a host, or the empty string; any
// other url answers 400 with {"error": ...} and changes nothing.
//
// Actions: complete-payout, fail-payout, pay-virtual-account, pay-qr-code, fail-qr-code,
// pay-bank-transfer, complete-web-payment, fail-web-payment, complete-refund, fail-refund,
// cancel-refund, pay-checkout, fail-checkout, approve-authorization, reject-authorization,
// complete-direct-debit, fail-direct-debit, complete-ekyc, reject-ekyc.
const SandboxPrefix = "/sandbox/"

// action runs one outcome method for the control API.
type action func(s *Server, id string, v actionValues) (*CallbackResult, error)

// actionValues are the form or query values of a control request.
type actionValues struct {
	amount     paycools.Amount
	failedCode int
	message    string
	channel    string
}

// defaultFailedCode is used when a fail action gives none: -10004, channel rejected.
const defaultFailedCode = -10004

var actions = map[string]action{
	"complete-payout": func(s *Server, id string, _ actionValues) (*CallbackResult, error) { return s.CompletePayout(id) },
	"fail-payout": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.FailPayout(id, v.failedCode, v.message)
	},
	"pay-virtual-account": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.PayVirtualAccountChannel(id, v.channel, v.amount)
	},
	"pay-qr-code": func(s *Server, id string, v actionValues) (*CallbackResult, error) { return s.PayQRCode(id, v.amount) },
	"fail-qr-code": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.FailQRCodePayment(id, v.failedCode, v.message)
	},
	"pay-bank-transfer": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.PayBankTransfer(id, v.amount)
	},
	"complete-web-payment": func(s *Server, id string, _ actionValues) (*CallbackResult, error) {
		return s.CompleteWebPayment(id)
	},
	"fail-web-payment": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.FailWebPayment(id, v.failedCode, v.message)
	},
	"complete-refund": func(s *Server, id string, _ actionValues) (*CallbackResult, error) { return s.CompleteRefund(id) },
	"fail-refund": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.FailRefund(id, v.failedCode, v.message)
	},
	"cancel-refund": func(s *Server, id string, _ actionValues) (*CallbackResult, error) { return s.CancelRefund(id) },
	"pay-checkout":  func(s *Server, id string, _ actionValues) (*CallbackResult, error) { return s.PayCheckout(id) },
	"fail-checkout": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.FailCheckout(id, v.failedCode, v.message)
	},
	"approve-authorization": func(s *Server, id string, _ actionValues) (*CallbackResult, error) {
		return s.ApproveAuthorization(id)
	},
	"reject-authorization": func(s *Server, id string, _ actionValues) (*CallbackResult, error) {
		return s.RejectAuthorization(id)
	},
	"complete-direct-debit": func(s *Server, id string, _ actionValues) (*CallbackResult, error) {
		return s.CompleteDirectDebitPayment(id)
	},
	"fail-direct-debit": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.FailDirectDebitPayment(id, v.failedCode, v.message)
	},
	"complete-ekyc": func(s *Server, id string, _ actionValues) (*CallbackResult, error) { return s.CompleteEKYC(id) },
	"reject-ekyc": func(s *Server, id string, v actionValues) (*CallbackResult, error) {
		return s.RejectEKYC(id, v.failedCode, v.message)
	},
	"redeliver": func(s *Server, id string, _ actionValues) (*CallbackResult, error) {
		i, err := strconv.Atoi(id)
		if err != nil {
			return nil, fmt.Errorf("%w: the callback index must be an integer, got %q", errBadRequest, id)
		}
		return s.Redeliver(i)
	},
}

// errBadRequest is wrapped by the errors of a control request that is malformed (HTTP 400).
var errBadRequest = errors.New("bad request")

// checkControlURL accepts what the URL routes of the control API may set: an absolute http or
// https URL with a host, or "" (unset).
func checkControlURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return fmt.Errorf("url must be an absolute http or https URL with a host, e.g. http://127.0.0.1:9000/notify (or empty to unset it); got %q", raw)
	}
	return nil
}

// callbackJSON is how the control API shows a callback result.
type callbackJSON struct {
	EventName string `json:"eventName"`
	URL       string `json:"url"`
	Param     string `json:"param"`
	Status    int    `json:"status"`
	Reply     string `json:"reply"`
	Error     string `json:"error,omitempty"`
	Handled   bool   `json:"acknowledged"`
}

func toJSON(r *CallbackResult) callbackJSON {
	j := callbackJSON{EventName: r.EventName, URL: r.URL, Param: string(r.Param), Status: r.Status, Reply: string(r.Body)}
	if r.Err != nil {
		j.Error = r.Err.Error()
	}
	j.Handled = r.Acknowledged() || r.Accepted()
	return j
}

// serveExtra answers the hosted pages and the control API; it reports false for any other
// path, which is then an API request.
func (s *Server) serveExtra(w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, SandboxPrefix):
		s.serveControl(w, r, strings.TrimPrefix(p, SandboxPrefix))
		return true
	case r.Method == http.MethodGet:
		return s.servePage(w, p)
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := marshalNoEscape(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request, rest string) {
	_ = r.ParseForm()
	switch {
	case rest == "requests" && r.Method == http.MethodGet:
		writeJSON(w, 200, s.Requests())
		return
	case rest == "callbacks" && r.Method == http.MethodGet:
		out := []callbackJSON{}
		for _, c := range s.Callbacks() {
			out = append(out, toJSON(c))
		}
		writeJSON(w, 200, out)
		return
	case rest == "balance":
		if r.Method == http.MethodPost {
			n, err := strconv.ParseInt(r.Form.Get("amount"), 10, 64)
			if err != nil {
				writeJSON(w, 400, map[string]string{"error": "amount must be an integer number of centavos"})
				return
			}
			s.SetBalance(paycools.Amount(n))
		}
		writeJSON(w, 200, map[string]any{"balance": s.Balance()})
		return
	case rest == "callback-url" && r.Method == http.MethodPost:
		if err := checkControlURL(r.Form.Get("url")); err != nil {
			writeJSON(w, 400, map[string]string{"error": err.Error()})
			return
		}
		s.SetCallbackURL(r.Form.Get("url"))
		writeJSON(w, 200, map[string]string{"callbackUrl": r.Form.Get("url")})
		return
	case rest == "verification-url" && r.Method == http.MethodPost:
		if err := checkControlURL(r.Form.Get("url")); err != nil {
			writeJSON(w, 400, map[string]string{"error": err.Error()})
			return
		}
		s.SetRepaymentVerificationURL(r.Form.Get("url"))
		writeJSON(w, 200, map[string]string{"verificationUrl": r.Form.Get("url")})
		return
	}
	name, id, found := strings.Cut(rest, "/")
	act := actions[name]
	if !found || act == nil || id == "" {
		writeJSON(w, 404, map[string]string{"error": "unknown sandbox action " + strconv.Quote(rest)})
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, 405, map[string]string{"error": "use POST"})
		return
	}
	v := actionValues{message: r.Form.Get("message"), channel: r.Form.Get("channel"), failedCode: defaultFailedCode}
	if a := r.Form.Get("amount"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			writeJSON(w, 400, map[string]string{"error": "amount must be an integer number of centavos"})
			return
		}
		v.amount = paycools.Amount(n)
	}
	if fc := r.Form.Get("failedCode"); fc != "" {
		n, err := strconv.Atoi(fc)
		if err != nil {
			writeJSON(w, 400, map[string]string{"error": "failedCode must be an integer"})
			return
		}
		v.failedCode = n
	}
	if v.message == "" && (strings.HasPrefix(name, "fail") || strings.HasPrefix(name, "reject")) {
		v.message = "Transaction Channel Rejected"
	}
	res, err := act(s, id, v)
	out := map[string]any{"action": name, "id": id}
	status := 200
	switch {
	case errors.Is(err, errBadRequest):
		status = 400
	case errors.Is(err, ErrNotFound):
		status = 404
	case err != nil && !errors.Is(err, ErrRefused):
		status = 409
	}
	if err != nil {
		out["error"] = err.Error()
	}
	if res != nil {
		out["callback"] = toJSON(res)
	}
	if r.Form.Get("html") != "" {
		renderPage(w, status, page{Title: "Sandbox: " + name, Result: out})
		return
	}
	writeJSON(w, status, out)
}

// page is one hosted page: a title, some facts and action buttons.
type page struct {
	Title   string
	Facts   [][2]string
	Buttons []button
	Result  map[string]any
}

type button struct {
	Label, Action, ID string
	Amount            bool // ask for an amount
	Channel           string
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}td{padding:.2em .8em}form{display:inline-block;margin:.5em}</style>
</head><body><h1>{{.Title}}</h1><p><em>PayCools sandbox (paycoolstest): nothing here moves real money.</em></p>
<table>{{range .Facts}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>
{{range .Buttons}}<form method="post" action="/sandbox/{{.Action}}/{{.ID}}"><input type="hidden" name="html" value="1">
{{if .Channel}}<input type="hidden" name="channel" value="{{.Channel}}">{{end}}
{{if .Amount}}<input name="amount" placeholder="amount in centavos" required>{{end}}
<button type="submit">{{.Label}}</button></form>{{end}}
{{with .Result}}<pre>{{range $k, $v := .}}{{$k}}: {{printf "%+v" $v}}
{{end}}</pre>{{end}}
</body></html>`))

func renderPage(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, p)
}

// servePage answers the hosted pages; false when the path is not one of them.
func (s *Server) servePage(w http.ResponseWriter, path string) bool {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	if len(seg) < 2 {
		return false
	}
	var p *page
	s.mu.Lock()
	switch {
	case seg[0] == "pay" && len(seg) == 2:
		if wp := s.st.webByTx[seg[1]]; wp != nil {
			p = &page{Title: "Web payment " + wp.mchOrderID, Facts: [][2]string{{"amount", wp.amount.String() + " " + wp.currency},
				{"channel", wp.channel}, {"status", wp.status}},
				Buttons: []button{{Label: "Pay", Action: "complete-web-payment", ID: wp.mchOrderID}, {Label: "Fail", Action: "fail-web-payment", ID: wp.mchOrderID}}}
		}
	case seg[0] == "checkout" && len(seg) == 2:
		if co := s.st.checkoutIDs[seg[1]]; co != nil {
			p = &page{Title: "Checkout " + co.mchOrderID, Facts: [][2]string{{"amount", co.amount.String() + " " + co.currency},
				{"status", co.status}, {"expires", isoTime(co.expires)}},
				Buttons: []button{{Label: "Pay", Action: "pay-checkout", ID: co.mchOrderID}, {Label: "Fail", Action: "fail-checkout", ID: co.mchOrderID}}}
		}
	case seg[0] == "authorize" && len(seg) == 2:
		if a := s.st.auths[seg[1]]; a != nil {
			p = &page{Title: "Authorize direct debit for " + a.userID, Facts: [][2]string{{"channel", a.channel}, {"state", a.state}},
				Buttons: []button{{Label: "Approve", Action: "approve-authorization", ID: a.requestID}, {Label: "Reject", Action: "reject-authorization", ID: a.requestID}}}
		}
	case seg[0] == "ekyc" && len(seg) == 2:
		if e := s.st.ekyc[seg[1]]; e != nil {
			p = &page{Title: "Identity verification for " + e.userID, Facts: [][2]string{{"channel", e.channel}, {"status", e.status}},
				Buttons: []button{{Label: "Approve", Action: "complete-ekyc", ID: e.requestID}, {Label: "Reject", Action: "reject-ekyc", ID: e.requestID}}}
		}
	case seg[0] == "qr" && len(seg) == 2:
		for _, q := range s.st.qrs {
			if q.qrID == seg[1] {
				p = &page{Title: "QR code " + q.mchOrderID, Facts: [][2]string{{"channel", q.channel}, {"status", q.status()}, {"content", q.content()}},
					Buttons: []button{{Label: "Pay", Action: "pay-qr-code", ID: q.mchOrderID, Amount: q.static()}}}
				if !q.static() {
					p.Facts = append(p.Facts, [2]string{"amount", q.amount.String()})
					p.Buttons = append(p.Buttons, button{Label: "Fail", Action: "fail-qr-code", ID: q.mchOrderID})
				}
			}
		}
	case seg[0] == "s" && len(seg) == 2:
		link := trimSlash(s.url, path)
		for _, g := range s.st.vaGroups {
			if g.shortLink != link {
				continue
			}
			p = &page{Title: "Pay " + g.mchOrderID}
			for _, v := range g.vas {
				if v.active {
					p.Facts = append(p.Facts, [2]string{v.channel, v.reference})
					p.Buttons = append(p.Buttons, button{Label: "Pay via " + v.channel, Action: "pay-virtual-account", ID: g.mchOrderID, Amount: true, Channel: v.channel})
				}
			}
		}
		for _, g := range s.st.btGroups {
			if g.shortLink == link {
				p = &page{Title: "Bank transfer for " + g.mchOrderID, Buttons: []button{{Label: "Transfer", Action: "pay-bank-transfer", ID: g.mchOrderID, Amount: true}}}
				for _, a := range g.accounts {
					if a.active {
						p.Facts = append(p.Facts, [2]string{a.channel, "AllBank " + a.number})
					}
				}
			}
		}
	case seg[0] == "guide" && len(seg) == 4 && seg[1] == "va":
		if g := s.st.vaGroups[seg[2]]; g != nil && g.va(seg[3]) != nil {
			v := g.va(seg[3])
			p = &page{Title: "Pay " + billerFor(v.channel) + " via " + v.channel, Facts: [][2]string{{"reference number", v.reference}, {"active", strconv.FormatBool(v.active)}},
				Buttons: []button{{Label: "Pay", Action: "pay-virtual-account", ID: g.mchOrderID, Amount: true, Channel: v.channel}}}
		}
	case seg[0] == "guide" && len(seg) == 4 && seg[1] == "bt":
		if g := s.st.btGroups[seg[2]]; g != nil && g.account(seg[3]) != nil {
			a := g.account(seg[3])
			p = &page{Title: "Bank transfer to " + a.number, Facts: [][2]string{{"bank", "AllBank"}, {"account name", "PayCools"}, {"account number", a.number}},
				Buttons: []button{{Label: "Transfer", Action: "pay-bank-transfer", ID: g.mchOrderID, Amount: true}}}
		}
	}
	s.mu.Unlock()
	if p == nil {
		return false
	}
	renderPage(w, 200, *p)
	return true
}
