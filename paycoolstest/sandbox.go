package paycoolstest

import (
	"errors"
	"fmt"
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
//	POST /sandbox/{action}/{id}         run an outcome; form or query values amount (integer
//	                                    minor units: centavos), pesos (the amount as a payer
//	                                    types it, 500.00), failedCode, message, channel; answers
//	                                    the callback result as JSON, or with html=1 (the pages'
//	                                    buttons) as a result page leading back to the order's
//	                                    redirectUrl
//	POST /sandbox/redeliver/{index}     send callback {index} of /sandbox/callbacks (0 is the
//	                                    oldest) again, same param and sign bytes (Server.Redeliver);
//	                                    answers like an action: {"action","id","callback"}
//	GET  /sandbox/requests              the requests received (JSON)
//	GET  /sandbox/callbacks             the callbacks sent (JSON)
//	GET  /sandbox/balance               the balance (JSON); POST with amount= sets it
//	POST /sandbox/callback-url          url= sets the dashboard callback URL (empty unsets it)
//	POST /sandbox/verification-url      url= sets the repayment verification URL (empty unsets it)
//
// Every id is one path segment, escaped as url.PathEscape does: the links the API hands out
// and the pages' form actions are built that way, so an id holding "#", "?", "%", "/", "+", a
// space or non-ASCII text names its own order (an id of "." or ".." cannot be a path segment).
// The pages are for a phone as much as a desktop; an unknown id is an HTML 404 page. The pages
// of finished orders (paid, failed, expired, cancelled, a used single-payment QR code) show
// their state and no buttons; a second press of a button answers 409 and sends nothing.
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
	// The escaped path: an id holding "/", "#", "?" or "%" arrives escaped as one segment.
	p := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(p, SandboxPrefix):
		s.serveControl(w, r, strings.TrimPrefix(p, SandboxPrefix))
		return true
	case r.Method == http.MethodGet:
		return s.servePage(w, r)
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
	name, escapedID, found := strings.Cut(rest, "/")
	id, idErr := url.PathUnescape(escapedID)
	act := actions[name]
	if !found || act == nil || id == "" || idErr != nil {
		if r.Form.Get("html") != "" {
			renderPage(w, notFoundPage("control route "+strconv.Quote(rest)))
			return
		}
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
	if a := r.Form.Get("pesos"); a != "" {
		n, err := paycools.ParseAmount(a)
		if err != nil || n <= 0 {
			msg := "Enter the amount in pesos as you would pay it, e.g. 500.00 (at most two decimals, more than 0); got " + strconv.Quote(a) + "."
			if r.Form.Get("html") != "" {
				p := page{Status: 400, Title: "Amount not accepted", Message: msg, Merchant: sandboxMerchant}
				p.Return, p.ReturnTo = s.orderReturn(name, id, r.Form.Get("channel"), false), "Back to the order"
				renderPage(w, p)
				return
			}
			writeJSON(w, 400, map[string]string{"error": msg})
			return
		}
		v.amount = n
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
		renderPage(w, s.resultPage(status, name, id, v.channel, res, err))
		return
	}
	writeJSON(w, status, out)
}
