package paycoolstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// The page a payer sees after pressing a button of a hosted page: what happened, the callback
// sent and the merchant's reply in readable form, and the way back to the merchant.

// outcomeWords is what a successful action did, in the payer's words.
var outcomeWords = map[string]string{
	"complete-payout": "Payout completed", "fail-payout": "Payout failed",
	"pay-virtual-account": "Paid", "pay-qr-code": "Paid", "fail-qr-code": "Payment failed",
	"pay-bank-transfer": "Paid", "complete-web-payment": "Paid", "fail-web-payment": "Payment failed",
	"complete-refund": "Refund completed", "fail-refund": "Refund failed", "cancel-refund": "Refund cancelled",
	"pay-checkout": "Paid", "fail-checkout": "Payment failed",
	"approve-authorization": "Approved", "reject-authorization": "Rejected",
	"complete-direct-debit": "Paid", "fail-direct-debit": "Payment failed",
	"complete-ekyc": "Approved", "reject-ekyc": "Rejected", "redeliver": "Callback sent again",
}

// resultPage is the answer of a control route to a page's form (html=1).
func (s *Server) resultPage(status int, name, id, channel string, res *CallbackResult, err error) page {
	p := page{Status: status, Merchant: sandboxMerchant, Title: outcomeWords[name]}
	switch {
	case errors.Is(err, ErrRefused):
		p.Title = "Payment refused by the merchant"
		p.Message = "The merchant's answer to the repayment verification question was not an acceptance: nothing was collected."
	case status == http.StatusNotFound:
		p.Title, p.Message = "Not found", "The sandbox holds no such order: "+strconv.Quote(id)+"."
	case err != nil:
		p.Title = "Nothing was done"
		p.Message = strings.TrimPrefix(err.Error(), ErrState.Error()+": ") + "."
		if status == http.StatusConflict {
			p.Hint = "The order is already final, or no longer takes this action: each order is settled once. Its page shows its state now."
		}
	default:
		p.Message = "Order " + id + ": the merchant was sent the callback below."
	}
	if res != nil {
		p.Callback = viewCallback(res)
		p.Hint = s.deliveryHint(res)
	}
	redirect := ""
	s.mu.Lock()
	redirect, p.Return = s.orderLinks(name, id, channel)
	p.Merchant = merchantName(s.appNameOf(name, id))
	s.mu.Unlock()
	p.ReturnTo = "Back to the order"
	if redirect != "" {
		p.Return, p.ReturnTo = redirect, "Back to the merchant"
	}
	return p
}

// orderReturn is where a payer goes back to from a result page: the order's redirectUrl
// (when merchant is true and it has one), else the order's page; "" when there is none.
func (s *Server) orderReturn(name, id, channel string, merchant bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	redirect, page := s.orderLinks(name, id, channel)
	if merchant && redirect != "" {
		return redirect
	}
	return page
}

// orderLinks are the redirectUrl and the page of the order an action acts on. The caller
// holds s.mu.
func (s *Server) orderLinks(name, id, channel string) (redirect, page string) {
	switch {
	case strings.HasSuffix(name, "web-payment"):
		if w := s.st.web[id]; w != nil {
			return w.redirectURL, s.pageURL("pay", w.txID)
		}
	case strings.HasSuffix(name, "checkout"):
		if co := s.st.checkouts[id]; co != nil {
			return co.redirectURL, s.pageURL("checkout", co.checkoutID)
		}
	case strings.HasSuffix(name, "authorization"):
		if a := s.st.auths[id]; a != nil {
			return a.redirectURL, s.pageURL("authorize", a.requestID)
		}
	case strings.HasSuffix(name, "ekyc"):
		if e := s.st.ekyc[id]; e != nil {
			return e.redirectURL, s.pageURL("ekyc", e.requestID)
		}
	case strings.HasSuffix(name, "qr-code"):
		if q := s.st.qrs[id]; q != nil {
			return "", s.pageURL("qr", q.qrID)
		}
	case name == "pay-virtual-account":
		if g := s.st.vaGroups[id]; g != nil {
			if g.va(channel) != nil {
				return "", s.pageURL("guide", "va", id, channel)
			}
			return "", g.shortLink
		}
	case name == "pay-bank-transfer":
		if g := s.st.btGroups[id]; g != nil {
			if len(g.accounts) > 0 {
				return "", s.pageURL("guide", "bt", id, g.accounts[0].channel)
			}
			return "", g.shortLink
		}
	}
	return "", ""
}

// appNameOf is the appName of the order an action acts on ("" when it has none). The caller
// holds s.mu.
func (s *Server) appNameOf(name, id string) string {
	switch {
	case strings.HasSuffix(name, "web-payment") && s.st.web[id] != nil:
		return s.st.web[id].appName
	case strings.HasSuffix(name, "qr-code") && s.st.qrs[id] != nil:
		return s.st.qrs[id].appName
	case name == "pay-virtual-account" && s.st.vaGroups[id] != nil:
		return s.st.vaGroups[id].appName
	case name == "pay-bank-transfer" && s.st.btGroups[id] != nil:
		return s.st.btGroups[id].appName
	}
	return ""
}

// deliveryHint says what to do about a callback that did not reach the merchant, naming the
// HTTP control routes (a tester outside Go has no Server methods).
func (s *Server) deliveryHint(res *CallbackResult) string {
	if res.Err == nil && res.Status == http.StatusOK {
		return ""
	}
	index := "{index}"
	s.mu.Lock()
	for i := len(s.cbs) - 1; i >= 0; i-- { // the latest record of these bytes: res itself
		if c := s.cbs[i]; c.EventName == res.EventName && c.Sign == res.Sign && bytes.Equal(c.Param, res.Param) {
			index = strconv.Itoa(i)
			break
		}
	}
	s.mu.Unlock()
	again := "then send it again with POST " + s.url + SandboxPrefix + "redeliver/" + index + "."
	if errors.Is(res.Err, ErrNoCallbackURL) {
		return "The callback had nowhere to go: set the dashboard callback URL with POST " + s.url + SandboxPrefix +
			"callback-url (form value url=http://your-host/notify), " + again
	}
	return "The merchant did not acknowledge the callback: fix the notify endpoint, " + again
}

// viewCallback is res as a result page shows it: the parameters indented, the signature
// shortened (a page never shows a full signature).
func viewCallback(res *CallbackResult) *callbackView {
	v := &callbackView{EventName: res.EventName, URL: res.URL, Status: res.Status, Reply: string(res.Body),
		Acknowledged: res.Acknowledged() || res.Accepted(), Param: readable(res.Param)}
	switch {
	case errors.Is(res.Err, ErrNoCallbackURL):
		v.Error = "not sent: no callback URL"
	case res.Err != nil:
		v.Error = res.Err.Error()
	}
	return v
}

// readable indents a JSON text and shortens a "sign" member; other text is kept as it is.
func readable(b []byte) string {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // amounts stay integers
	if dec.Decode(&m) == nil {
		if sig, ok := m["sign"].(string); ok && len(sig) > 12 {
			m["sign"] = sig[:12] + "…"
		}
		if out, err := marshalNoEscape(m); err == nil {
			b = out
		}
	}
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") == nil {
		return buf.String()
	}
	return string(b)
}
