package paycoolstest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
)

// The PH dialect of the gateway (docs/dialects.md): its own route table, its own flat
// canonicalizer and signature check, written here independently of the SDK's code. A request
// that passes is translated into the open-api form (PH names to open-api names, path values
// and the fields the PH host does not take filled in) and handled by the same routes, state
// and faults as an open-api request; the answer is translated back (PH codes, success 1000,
// code 1 on /api/v2/checkout). Callbacks go out flat, SHA-1 signed with the callback secret.

// WithDialect makes the gateway speak a dialect (default paycools.DialectOpenAPI).
func WithDialect(d paycools.Dialect) Option { return func(c *config) { c.dialect = d } }

// WithEnvelopeSigning sets the one message the gateway's envelope routes verify: in the PH
// dialect /api/v2/checkout and the envelope routes added with WithRoute (default
// paycools.EnvelopeSignsAppIDAndParam). The other variant
// is answered as a sign error, so that a probe can tell them apart. The open-api routes always
// verify param.
func WithEnvelopeSigning(e paycools.EnvelopeSigning) Option {
	return func(c *config) { c.envSigning = e }
}

// WithCallbackSecret sets the merchant secret of flat SHA-1 callbacks (default: 32 random hex
// characters).
func WithCallbackSecret(secret string) Option { return func(c *config) { c.secret = secret } }

// Dialect is the dialect the gateway speaks.
func (s *Server) Dialect() paycools.Dialect {
	if s.cfg.dialect == paycools.DialectPH {
		return paycools.DialectPH
	}
	return paycools.DialectOpenAPI
}

// CallbackSecret is the secret the gateway signs flat SHA-1 callbacks with
// (paycools.WithCallbackSecret).
func (s *Server) CallbackSecret() string { return s.cfg.secret }

// phRoute is one row of the gateway's PH table: the PH method, path and form, the fields the
// row lists (a * marks a required one), and how a request becomes the open-api one.
type phRoute struct {
	op           paycools.Operation
	method, path string
	flat         bool
	fields       string
	rename       map[string]string // PH name → open-api name
	fill         map[string]string // open-api fields the PH host does not take, with the value used
	anyField     bool              // a WithRoute route: every name is taken, none renamed or filled
}

var phDefaults = map[string]string{"countryCode": "PH"}

// phRoutes is the gateway's own copy of the PH route table (docs/endpoints-ph.tsv).
var phRoutes = []phRoute{
	{op: paycools.OpAccountBalance, method: "GET", path: "/api/v1/account/checkBalance", flat: true, fields: "", fill: phDefaults},
	{op: paycools.OpAccountPaymentStatement, method: "POST", path: "/api/v1/record/paymentList", flat: true, fields: "createDate,completeDate,page*,status,timestamp*"},
	{op: paycools.OpAccountPayoutStatement, method: "POST", path: "/api/v1/record/payoutList", flat: true, fields: "createDate,completeDate,page*,status,timestamp*"},
	{op: paycools.OpPayoutCreate, method: "POST", path: "/api/v1/payout", flat: true, fields: "appName*,mchOrderId*,idempotencyId*,amount*,accountNo*,accountName*,payMethodCode*,bankCode,ewalletCode,remark",
		rename: map[string]string{"bankCode": "transferCode", "ewalletCode": "transferCode"}, fill: map[string]string{"transferCode": "QRPH"}},
	{op: paycools.OpPayoutGet, method: "GET", path: "/api/v1/payout/check", flat: true, fields: "mchOrderId*", fill: phDefaults},
	{op: paycools.OpBillsPaymentCreateVirtualAccount, method: "POST", path: "/api/v1/paymentCode", flat: true, fields: "appName*,mchOrderId*,channelCode*,customerName*,email*,mobile,description",
		rename: map[string]string{"description": "remark"}, fill: map[string]string{"notifyUrl": "", "mobile": "09000000000"}},
	{op: paycools.OpBillsPaymentBatchCreateVirtualAccounts, method: "POST", path: "/api/v1/batch/paymentCode", flat: true, fields: "appName*,mchOrderId*,channelCode*,customerName*,email*,minAmount,maxAmount,mobile,expireTime,description"},
	{op: paycools.OpBillsPaymentUpdateVirtualAccount, method: "POST", path: "/api/v1/batch/paymentCode/{mchOrderId}/update", flat: true, fields: "channelCode*"},
	{op: paycools.OpBillsPaymentCashierURL, method: "POST", path: "/api/v1/paymentCode/cashier", flat: true, fields: "mchOrderId*"},
	{op: paycools.OpBillsPaymentListPayments, method: "GET", path: "/api/v1/paymentCode/{mchOrderId}/payments", flat: true, fields: "startDate*,endDate*"},
	{op: paycools.OpBillsPaymentCancelVirtualAccount, method: "POST", path: "/api/v1/paymentCode/cancel", flat: true, fields: "mchOrderId*", fill: map[string]string{"channelCode": "*"}},
	{op: paycools.OpQRCodeCreate, method: "POST", path: "/api/v1/qrcode", flat: true, fields: "appName*,mchOrderId*,channelCode*,amount,customerName*,email,callbackUrl,remark,expireSeconds",
		rename: map[string]string{"callbackUrl": "notifyUrl"}, fill: map[string]string{"notifyUrl": ""}},
	{op: paycools.OpQRCodeGet, method: "GET", path: "/api/v1/qrcode/detail", flat: true, fields: "mchOrderId*"},
	{op: paycools.OpQRCodeListPayments, method: "GET", path: "/api/v1/qrcode/{mchOrderId}/payments", flat: true, fields: "startDate*,endDate*"},
	{op: paycools.OpQRCodeCancel, method: "POST", path: "/api/v1/qrcode/cancel", flat: true, fields: "mchOrderId*"},
	{op: paycools.OpQRCodeUpdate, method: "POST", path: "/api/v1/qrcode/update", flat: true, fields: "mchOrderId*,customerName*,callbackUrl,email,remark"},
	{op: paycools.OpBankTransferBatchCreateAccounts, method: "POST", path: "/api/v1/batch/paymentAccount", flat: true, fields: "appName*,mchOrderId*,channelCode*,customerName*,email,minAmount,maxAmount,mobile,expireTime,description"},
	{op: paycools.OpBankTransferBatchUpdateAccounts, method: "POST", path: "/api/v1/batch/paymentAccount/{mchOrderId}/update", flat: true, fields: "channelCode*"},
	{op: paycools.OpBankTransferListPayments, method: "GET", path: "/api/v1/paymentAccount/{mchOrderId}/payments", flat: true, fields: "startDate*,endDate*,channelCode"},
	{op: paycools.OpWebPaymentCreate, method: "POST", path: "/api/v1/payment", flat: true, fields: "appName*,mchOrderId*,amount*,customerName,channelCode*,email*,mobile*,remark,callbackUrl*,redirectUrl*",
		rename: map[string]string{"callbackUrl": "notifyUrl"}, fill: map[string]string{"countryCode": "PH", "currency": "PHP", "channelType": "EWALLET", "terminalType": "WEB"}},
	{op: paycools.OpWebPaymentGet, method: "GET", path: "/api/v1/payment/{transactionId}", flat: true, fields: "transactionId*", fill: phDefaults},
	{op: paycools.OpCheckoutChannels, method: "POST", path: "/api/v2/checkout/channel"},
	{op: paycools.OpRefundCreate, method: "POST", path: "/api/payment/refund", flat: true, fields: "mchRefundOrderId*,originalTransactionId*,refundAmount*,refundReason,refundCallbackUrl*"},
	{op: paycools.OpRefundListPayments, method: "GET", path: "/api/refund/payments", flat: true, fields: "originalTransactionId,refundTransactionId"},
	{op: paycools.OpCheckoutCreate, method: "POST", path: "/api/v2/checkout/generate"},
	{op: paycools.OpCheckoutGet, method: "POST", path: "/api/v2/checkout/query"},
	{op: paycools.OpCheckoutClose, method: "POST", path: "/api/v2/checkout/close"},
	{op: paycools.OpDirectDebitCreateAuthorizationLink, method: "POST", path: "/api/direct/debit/token/apply", flat: true, fields: "timestamp*,userId*,requestId*,channelCode*,terminalType*,osType,notifyUrl*,redirectUrl*", fill: phDefaults},
	{op: paycools.OpDirectDebitGetAuthorization, method: "POST", path: "/api/direct/debit/token/query", flat: true, fields: "timestamp*,userId*,payToken"},
	{op: paycools.OpDirectDebitCancelAuthorization, method: "POST", path: "/api/direct/debit/token/cancel", flat: true, fields: "timestamp*,userId*,payToken*"},
	{op: paycools.OpDirectDebitCreatePayment, method: "POST", path: "/api/direct/debit/pay", flat: true, fields: "appName*,timestamp*,mchOrderId*,amount*,channelCode*,payToken*,callbackUrl*,customerName,email,mobile,remark",
		rename: map[string]string{"callbackUrl": "notifyUrl"}},
	{op: paycools.OpDirectDebitGetPayment, method: "POST", path: "/api/direct/debit/query", flat: true, fields: "timestamp*,transactionId*"},
	{op: paycools.OpEKYCInit, method: "POST", path: "/api/ekyc/init", flat: true, fields: "timestamp*,requestId*,userId*,channelCode*,notifyUrl*,redirectUrl*"},
	{op: paycools.OpEKYCGetResult, method: "POST", path: "/api/ekyc/query", flat: true, fields: "timestamp*,requestId*,userId"},
}

// phCodes maps the open-api codes the gateway answers to their PH twins (docs/codes.md §3–§4).
var phCodes = map[int]int{
	codeServer: 1018, codeSign: 1003, codeParam: 1009, codeAppID: 1001, codeChannelUnavailable: 1011,
	codeNotFound: 1008, codeDuplicateOrder: 1012, codeTimestamp: 1009, codeTimestampExpired: 1009,
	codeAmountLimit: 1007, codeBankCode: 1010, codeWalletCode: 1016, codeBalance: 1006,
	codeDuplicateIdem: 1014, codeTransferCode: 1010, codePayMethodCode: 1009,
	codeRefundTooOld: 1509, codeRefundAmount: 1506, codeDuplicateRefund: 1515, codeOriginalNotDone: 1516,
	codeRefundPending: 1502,
}

// phMessages are the PH texts of the codes the gateway answers in the PH dialect.
var phMessages = map[int]string{
	1000: "success", 1001: "merchant appid is invalid", 1003: "request sign is invalid",
	1006: "merchant balance insufficient", 1007: "transaction exceed limit", 1008: "transaction not found",
	1009: "request params invalid(pls refer to the specific return message)", 1010: "request bank name invalid",
	1011: "merchant channel unavailable", 1012: "merchant order id is repeat", 1014: "merchant payout idempoteny repeat",
	1016: "request ewallet name invalid", 1018: "network failed, please retry", 1502: "Refund is processing",
	1506: "The refund amount is greater than the amount that can be refunded", 1509: "Transactions 60 days ago cannot initiate refunds",
	1515: "Merchant refund order id is repeat", 1516: "The original transaction is not completed",
}

// servePH answers a request in the PH dialect. It reports false when the path is not a PH
// route (the caller answers 404 as the open-api gateway does).
func (s *Server) servePH(w http.ResponseWriter, r *http.Request) bool {
	var rt *phRoute
	var vars map[string]string
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for _, table := range [...][]phRoute{s.customPH, phRoutes} {
		for i := range table {
			if table[i].method != r.Method {
				continue
			}
			if v, ok := matchPath(table[i].path, segs); ok {
				rt, vars = &table[i], v
				break
			}
		}
		if rt != nil {
			break
		}
	}
	if rt == nil {
		return false
	}
	inner := s.innerRoute(rt.op)
	if inner == nil {
		return false
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	var env []byte
	if rt.flat {
		var code int
		var msg string
		env, code, msg = s.translateFlat(rt, inner, r, body, vars)
		if code != 0 {
			s.recordPHRefusal(r, rt, body, code, msg)
			writePH(w, http.StatusOK, code, msg, nil)
			return true
		}
	} else {
		var ok bool
		if env, ok = s.translateEnvelope(r, body); !ok {
			s.recordPHRefusal(r, rt, body, 1003, phMessages[1003])
			writePH(w, http.StatusOK, 1003, phMessages[1003], nil)
			return true
		}
	}
	var req *http.Request
	if inner.method == http.MethodGet {
		var e struct{ AppID, Param, Sign string }
		_ = json.Unmarshal(env, &e)
		q := url.Values{"appId": {e.AppID}, "param": {e.Param}, "sign": {e.Sign}}
		req = httptest.NewRequest(http.MethodGet, innerPath(inner.path, env)+"?"+q.Encode(), nil)
	} else {
		req = httptest.NewRequest(http.MethodPost, innerPath(inner.path, env), bytes.NewReader(env))
	}
	req = req.WithContext(r.Context())
	rec := httptest.NewRecorder()
	s.serveGateway(rec, req)
	var a struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &a) != nil {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return true
	}
	code, msg := a.Code, a.Message
	switch {
	case code == codeSuccess && !rt.flat && strings.HasPrefix(rt.path, "/api/v2/checkout/"):
		code, msg = 1, "success" // the PH host's checkout answers
	case code == codeSuccess:
		code, msg = 1000, phMessages[1000]
	default:
		if twin, ok := phCodes[code]; ok {
			code = twin
			if m, ok := phMessages[twin]; ok && !strings.Contains(msg, ":") {
				msg = m
			}
		}
	}
	writePH(w, http.StatusOK, code, msg, a.Data)
	return true
}

// recordPHRefusal records a request the PH checks refused (a bad signature or appId, a field
// the row does not list, ...) as it was received, with the PH code answered.
func (s *Server) recordPHRefusal(r *http.Request, rt *phRoute, body []byte, code int, msg string) {
	rec := Request{Time: s.now(), Method: r.Method, Path: r.URL.Path, Operation: rt.op,
		Code: code, Message: msg, HTTPStatus: http.StatusOK}
	if !rt.flat {
		s.fillEnvelope(&rec, r, body)
		s.record(rec)
		return
	}
	if pairs, err := readFlat(r, body); err == nil {
		rec.Fields = map[string]any{}
		for _, p := range pairs {
			dec := json.NewDecoder(bytes.NewReader(p.raw))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) != nil {
				continue
			}
			switch p.name {
			case "appId":
				rec.AppID, _ = v.(string)
			case "sign":
				rec.Sign, _ = v.(string)
			default:
				rec.Fields[p.name] = v
			}
		}
	}
	s.record(rec)
}

// innerRoute is the open-api route of an operation (for a WithRoute route, its own row).
func (s *Server) innerRoute(op paycools.Operation) *route {
	for _, table := range [...][]*route{s.custom, routes} {
		for _, rt := range table {
			if rt.op == op {
				return rt
			}
		}
	}
	return nil
}

// innerPath fills the open-api path's placeholders from the translated param.
func innerPath(path string, env []byte) string {
	if !strings.Contains(path, "{") {
		return path
	}
	var e struct{ Param string }
	_ = json.Unmarshal(env, &e)
	p := decodeFields(e.Param)
	for k, v := range p {
		if sv, ok := v.(string); ok {
			path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(sv))
		}
	}
	return path
}

func writePH(w http.ResponseWriter, status, code int, msg string, data json.RawMessage) {
	out := []byte(`{"code":` + strconv.Itoa(code) + `,"message":` + string(mustQuote(msg)))
	if len(data) > 0 && string(data) != "null" {
		out = append(out, `,"data":`...)
		out = append(out, data...)
	}
	out = append(out, '}')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

func mustQuote(s string) []byte { b, _ := marshalNoEscape(s); return b }

// phPair is one top-level member of a flat request: its name and JSON value as received.
type phPair struct {
	name string
	raw  json.RawMessage
}

// readFlat reads the members of a flat POST body (refusing a repeated name) or of a GET query.
func readFlat(r *http.Request, body []byte) ([]phPair, error) {
	if r.Method == http.MethodGet {
		var out []phPair
		for k, vs := range r.URL.Query() {
			if len(vs) != 1 {
				return nil, errors.New(k + " is given more than once")
			}
			out = append(out, phPair{k, mustQuote(vs[0])})
		}
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("body is not a JSON object")
	}
	seen := map[string]bool{}
	var out []phPair
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, errors.New("body is not a JSON object")
		}
		k := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("body is not a JSON object")
		}
		if seen[k] {
			return nil, errors.New(k + " is given twice")
		}
		seen[k] = true
		out = append(out, phPair{k, v})
	}
	return out, nil
}

// phText is the canonical text of one value: a string's content, any other value's compact
// JSON; ok is false for null and "".
func phText(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, s != ""
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return "", false
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw), true
	}
	return b.String(), true
}

// phCanonical is the string a flat body is signed over: every member but sign whose value is
// not null or "", sorted by name, name=value joined by &.
func phCanonical(pairs []phPair) string {
	var parts []string
	for _, p := range pairs {
		if p.name == "sign" {
			continue
		}
		if t, ok := phText(p.raw); ok {
			parts = append(parts, p.name+"="+t)
		}
	}
	sort.Slice(parts, func(i, j int) bool {
		a, _, _ := strings.Cut(parts[i], "=")
		b, _, _ := strings.Cut(parts[j], "=")
		return a < b
	})
	return strings.Join(parts, "&")
}

// translateFlat checks a flat request (appId, sign over the canonical string, the row's
// fields) and returns the open-api envelope of the same request, or a PH code and message.
func (s *Server) translateFlat(rt *phRoute, inner *route, r *http.Request, body []byte, vars map[string]string) ([]byte, int, string) {
	pairs, err := readFlat(r, body)
	if err != nil {
		return nil, 1009, phMessages[1009] + ": " + err.Error()
	}
	get := func(n string) (string, bool) {
		for _, p := range pairs {
			if p.name == n {
				return phText(p.raw)
			}
		}
		return "", false
	}
	if id, _ := get("appId"); id != s.cfg.appID {
		return nil, 1001, phMessages[1001]
	}
	sign, _ := get("sign")
	if verifySign(&s.cfg.merchant.PublicKey, phCanonical(pairs), sign) != nil {
		return nil, 1003, phMessages[1003]
	}
	listed := map[string]bool{"appId": true, "sign": true}
	for _, f := range strings.Split(rt.fields, ",") {
		if f == "" {
			continue
		}
		name, req := strings.CutSuffix(f, "*")
		listed[name] = true
		if _, ok := get(name); req && !ok && name != "appName" {
			return nil, 1009, "request params invalid: " + name + " is required"
		}
		if name == "appName" && req {
			if _, ok := get(name); !ok {
				return nil, 1009, "request params invalid: appName is required"
			}
		}
	}
	param := map[string]json.RawMessage{}
	for _, p := range pairs {
		if !listed[p.name] && !rt.anyField {
			// The PH host is taken to sign a fixed field list (docs/dialects.md C6): a name the
			// row does not list is refused, as such a host would refuse it.
			return nil, 1009, "request params invalid: " + p.name + " is not a field of this operation"
		}
		if p.name == "appId" || p.name == "sign" {
			continue
		}
		name := p.name
		if to, ok := rt.rename[name]; ok {
			name = to
		}
		if _, ok := phText(p.raw); ok {
			param[name] = p.raw
		}
	}
	for k, v := range vars {
		if raw, signed := param[k]; signed {
			// The path is not signed: a placeholder naming another object than the signed
			// field is refused, as the open-api routes refuse it.
			if t, _ := phText(raw); t != v {
				return nil, 1009, "request params invalid: " + k + " in the path (" + strconv.Quote(v) + ") differs from the signed field (" + strconv.Quote(t) + ")"
			}
		}
		param[k] = mustQuote(v)
	}
	for k, v := range rt.fill {
		if _, ok := param[k]; ok {
			continue
		}
		switch {
		case k == "notifyUrl":
			u := s.dashboardURL()
			if u == "" {
				// The request has no notifyUrl field to blame: say what to set instead.
				return nil, 1009, "request params invalid: no dashboard callback URL is set: set it with POST " + s.url +
					SandboxPrefix + "callback-url url=http://your-host/notify (Server.SetCallbackURL in Go)" + phCallbackHint(rt) +
					"; on the PH host this request's callbacks go there"
			}
			param[k] = mustQuote(u)
		case v == "*": // the PH host cancels every channel: the open-api handler takes the list
			param[k] = mustQuote("*")
		default:
			param[k] = mustQuote(v)
		}
	}
	if _, ok := param["timestamp"]; !ok && !inner.flat {
		param["timestamp"] = json.RawMessage(strconv.FormatInt(s.now().UnixMilli(), 10))
	}
	p, _ := marshalNoEscape(param)
	sig, err := signWith(s.cfg.merchant, p)
	if err != nil {
		return nil, 1018, phMessages[1018]
	}
	env, _ := marshalNoEscape(map[string]string{"appId": s.cfg.appID, "param": string(p), "sign": sig})
	return env, 0, ""
}

// phCallbackHint adds, for a PH operation that also takes callbackUrl, that sending one works too.
func phCallbackHint(rt *phRoute) string {
	if rt.rename["callbackUrl"] == "notifyUrl" {
		return ", or send callbackUrl with the request"
	}
	return ""
}

// dashboardURL is the callback URL of the merchant dashboard, which the PH host uses where a
// request carries none.
func (s *Server) dashboardURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callbackURL
}

// translateEnvelope checks a PH envelope (/api/v2/checkout; a GET's in its query) under the
// gateway's envelope signing and returns it signed over param, as the inner open-api routes
// verify.
func (s *Server) translateEnvelope(r *http.Request, body []byte) ([]byte, bool) {
	var e struct {
		AppID string `json:"appId"`
		Param string `json:"param"`
		Sign  string `json:"sign"`
	}
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		e.AppID, e.Param, e.Sign = q.Get("appId"), q.Get("param"), q.Get("sign")
	} else if json.Unmarshal(body, &e) != nil {
		return nil, false
	}
	if e.Param == "" {
		return nil, false
	}
	msg := e.Param
	if s.envSigning() == paycools.EnvelopeSignsAppIDAndParam {
		msg = "appId=" + e.AppID + "&param=" + e.Param
	}
	if verifySign(&s.cfg.merchant.PublicKey, msg, e.Sign) != nil {
		return nil, false
	}
	sig, err := signWith(s.cfg.merchant, []byte(e.Param))
	if err != nil {
		return nil, false
	}
	env, _ := marshalNoEscape(map[string]string{"appId": e.AppID, "param": e.Param, "sign": sig})
	return env, true
}

// envSigning is the envelope message the gateway verifies.
func (s *Server) envSigning() paycools.EnvelopeSigning {
	if s.cfg.envSigning != 0 {
		return s.cfg.envSigning
	}
	if s.Dialect() == paycools.DialectPH {
		return paycools.EnvelopeSignsAppIDAndParam
	}
	return paycools.EnvelopeSignsParam
}

// flatCallbackBody turns a callback event into the PH flat form: the event's members at the top
// level and sign, the lowercase hex SHA-1 of the canonical string + "&secret=" + secret.
func (s *Server) flatCallbackBody(param []byte) ([]byte, string, error) {
	dec := json.NewDecoder(bytes.NewReader(param))
	dec.UseNumber()
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, "", err
	}
	var pairs []phPair
	for k, v := range m {
		pairs = append(pairs, phPair{k, v})
	}
	sum := sha1.Sum([]byte(phCanonical(pairs) + "&secret=" + s.cfg.secret))
	sign := hex.EncodeToString(sum[:])
	body := append(bytes.TrimSuffix(bytes.TrimSpace(param), []byte("}")), []byte(`,"sign":"`+sign+`"}`)...)
	if bytes.Equal(bytes.TrimSpace(param), []byte("{}")) {
		body = []byte(`{"sign":"` + sign + `"}`)
	}
	return body, sign, nil
}

// randomSecret is a new callback secret: 32 hex characters.
func randomSecret() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
