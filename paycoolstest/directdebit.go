package paycoolstest

import (
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// authorization is one authorization request (10.1) and its outcome.
type authorization struct {
	requestID, userID, channel, country string
	notifyURL, redirectURL              string
	state                               string // PENDING, APPROVED, REJECTED
	token                               *token
}

// token is one pay token (10.2–10.4).
type token struct {
	value, userID, channel string
	auth                   *authorization
	active                 bool
	expires, inactiveAt    time.Time
	inactiveType           string
}

// ddPayment is one direct-debit charge (10.5–10.7).
type ddPayment struct {
	mchOrderID, txID, channel, payToken string
	amount                              paycools.Amount
	customerName, email, mobile, remark string
	notifyURL                           string
	status                              string
	created, returned, updated          time.Time
	failedCode                          int
	failedMessage                       string
	col                                 *collection
}

// tokenLife is how long a pay token stays usable.
const tokenLife = 365 * 24 * time.Hour

func init() {
	addRoute(&route{
		op: paycools.OpDirectDebitCreateAuthorizationLink, method: "POST", path: "/open-api/direct/debit/token/apply",
		fields: rules(
			"userId* str 1..32",
			"requestId* str 1..32",
			"channelCode* str 1..64",
			"countryCode* str enum=PH|ID|MY|TH",
			"terminalType* str enum=WEB|WAP|APP",
			"osType str enum=IOS|ANDROID",
			"notifyUrl* url 1..256",
			"redirectUrl* url 1..512",
		),
		handle: (*Server).authCreate,
	})
	addRoute(&route{
		op: paycools.OpDirectDebitGetAuthorization, method: "POST", path: "/open-api/direct/debit/token/query",
		fields: rules("userId* str 1..32", "payToken str"),
		handle: (*Server).authGet,
	})
	addRoute(&route{
		op: paycools.OpDirectDebitCancelAuthorization, method: "POST", path: "/open-api/direct/debit/token/cancel",
		fields: rules("userId* str 1..32", "payToken* str"),
		handle: (*Server).authCancel,
	})
	addRoute(&route{
		op: paycools.OpDirectDebitCreatePayment, method: "POST", path: "/open-api/direct/debit/pay",
		fields: rules(
			"mchOrderId* str 1..32",
			"amount* int 1..",
			"channelCode* str 1..64",
			"payToken* str",
			"notifyUrl* url 1..256",
			"customerName str 1..128",
			"email str 1..128",
			"mobile str fmt=mobile09",
			"remark str 1..256",
		),
		handle: (*Server).ddCreate,
	})
	addRoute(&route{
		op: paycools.OpDirectDebitGetPayment, method: "POST", path: "/open-api/direct/debit/detail",
		fields: rules("mchOrderId str 1..32", "transactionId str 1..64"),
		handle: (*Server).ddGet,
	})
}

func (s *Server) authCreate(c *call) (any, *apiError) {
	p := c.p
	if tt := p.str("terminalType"); (tt == "WAP" || tt == "APP") && !p.present("osType") {
		return nil, paramError("osType", "is required when terminalType is %s", tt)
	}
	id := p.str("requestId")
	if s.st.auths[id] != nil {
		return nil, refuse(codeDuplicateOrder)
	}
	a := &authorization{
		requestID: id, userID: p.str("userId"), channel: p.str("channelCode"), country: p.str("countryCode"),
		notifyURL: p.str("notifyUrl"), redirectURL: p.str("redirectUrl"), state: statusPending,
	}
	s.st.auths[id] = a
	return obj{
		{"userId", a.userID},
		{"requestId", a.requestID},
		{"channelCode", a.channel},
		{"authUrl", s.pageURL("authorize", a.requestID)},
	}, nil
}

func (t *token) answer() obj {
	st := "ACTIVED"
	if !t.active {
		st = "INACTIVED"
	}
	return obj{
		{"channelCode", t.channel},
		{"payToken", t.value},
		{"tokenStatus", st},
		{"expiresTime", wireTime(t.expires)},
		{"inactiveTime", wireTime(t.inactiveAt)},
		{"inactiveType", t.inactiveType},
	}
}

func (s *Server) authGet(c *call) (any, *apiError) {
	user, only := c.p.str("userId"), c.p.str("payToken")
	list := []obj{}
	for _, a := range s.authsInOrder() {
		t := a.token
		if t == nil || t.userID != user || (only != "" && t.value != only) {
			continue
		}
		list = append(list, t.answer())
	}
	return obj{{"userId", user}, {"tokenList", list}}, nil
}

// authsInOrder lists the authorizations whose token exists, in token creation order.
func (s *Server) authsInOrder() []*authorization {
	var out []*authorization
	for _, t := range s.st.tokenList {
		out = append(out, t.auth)
	}
	return out
}

func (s *Server) authCancel(c *call) (any, *apiError) {
	t := s.st.tokens[c.p.str("payToken")]
	if t == nil || t.userID != c.p.str("userId") {
		return nil, refuse(codeAccessToken)
	}
	if !t.active {
		return nil, refuse(codeCancelNotAllowed)
	}
	t.active, t.inactiveAt, t.inactiveType = false, c.now, "MCH_CANCEL"
	ev := s.tokenEvent("token.cancel.success", t.auth)
	url := t.auth.notifyURL
	c.after = append(c.after, func() { s.deliver("token.cancel.success", url, ev) })
	return append(obj{{"userId", t.userID}}, t.answer()...), nil
}

// tokenEvent is the param of a 10.4 notification; the caller holds s.mu.
func (s *Server) tokenEvent(name string, a *authorization) obj {
	ev := obj{
		{"eventName", name},
		{"userId", a.userID},
		{"requestId", a.requestID},
		{"channelCode", a.channel},
		{"countryCode", a.country},
	}
	if t := a.token; t != nil {
		st := "ACTIVED"
		if !t.active {
			st = "INACTIVED"
		}
		ev = append(ev, kv{"paytoken", t.value}, kv{"tokenStatus", st}, kv{"expiresTime", wireTime(t.expires)},
			kv{"inactiveTime", wireTime(t.inactiveAt)}, kv{"inactiveType", t.inactiveType})
	}
	return ev
}

// ApproveAuthorization plays the user who authorizes direct debit for the authorization
// request requestID: the gateway creates an active pay token for the user and channel, and
// POSTs token.create.success (with paytoken, tokenStatus ACTIVED and expiresTime) to the
// request's notifyUrl. It returns the merchant's reply; the token is in the reply's Param and
// in the answer of DirectDebit.GetAuthorization.
func (s *Server) ApproveAuthorization(requestID string) (*CallbackResult, error) {
	return s.decideAuthorization(requestID, true)
}

// RejectAuthorization plays the user who refuses the authorization: no token is created and
// token.create.failed is POSTed to the request's notifyUrl.
func (s *Server) RejectAuthorization(requestID string) (*CallbackResult, error) {
	return s.decideAuthorization(requestID, false)
}

func (s *Server) decideAuthorization(requestID string, approve bool) (*CallbackResult, error) {
	s.mu.Lock()
	a := s.st.auths[requestID]
	if a == nil {
		s.mu.Unlock()
		return nil, notFound("authorization request", requestID)
	}
	if a.state != statusPending {
		s.mu.Unlock()
		return nil, badState("authorization request %q is already %s", requestID, a.state)
	}
	name := "token.create.failed"
	a.state = "REJECTED"
	if approve {
		name, a.state = "token.create.success", "APPROVED"
		t := &token{value: s.nextID("TK"), userID: a.userID, channel: a.channel, auth: a, active: true,
			expires: s.now().Add(tokenLife)}
		a.token = t
		s.st.tokens[t.value] = t
		s.st.tokenList = append(s.st.tokenList, t)
	}
	ev := s.tokenEvent(name, a)
	url := a.notifyURL
	s.mu.Unlock()
	return s.deliver(name, url, ev), nil
}

// PayToken returns the pay token created for the authorization request requestID, or "" when
// it has not been approved.
func (s *Server) PayToken(requestID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.st.auths[requestID]; a != nil && a.token != nil {
		return a.token.value
	}
	return ""
}

func (s *Server) ddCreate(c *call) (any, *apiError) {
	p := c.p
	t := s.st.tokens[p.str("payToken")]
	if t == nil || !t.active || c.now.After(t.expires) || t.channel != p.str("channelCode") {
		return nil, refuse(codeAccessToken)
	}
	id := p.str("mchOrderId")
	if s.st.ddPayments[id] != nil {
		return nil, refuse(codeDuplicateOrder)
	}
	d := &ddPayment{
		mchOrderID: id, txID: s.nextID("C"), channel: t.channel, payToken: t.value,
		amount: paycools.Amount(p.int("amount")), customerName: p.str("customerName"),
		email: p.str("email"), mobile: p.str("mobile"), remark: p.str("remark"),
		notifyURL: p.str("notifyUrl"), status: statusPending, created: c.now, updated: c.now,
	}
	d.col = &collection{
		txID: d.txID, mchOrderID: id, method: "Direct Debit", channel: d.channel, amount: d.amount,
		name: d.customerName, mobile: d.mobile, status: statusPending, created: c.now,
	}
	s.addCollection(d.col)
	s.st.ddPayments[id] = d
	s.st.ddByTx[d.txID] = d
	return obj{
		{"mchOrderId", d.mchOrderID},
		{"transactionId", d.txID},
		{"transactionStatus", d.status},
		{"channelType", "DIRECT_DEBIT"},
		{"channelCode", d.channel},
	}, nil
}

func (s *Server) ddGet(c *call) (any, *apiError) {
	id, tx := c.p.str("mchOrderId"), c.p.str("transactionId")
	if id == "" && tx == "" {
		return nil, paramError("mchOrderId", "or transactionId is required")
	}
	d := s.st.ddPayments[id]
	if id == "" {
		d = s.st.ddByTx[tx]
	}
	if d == nil || (tx != "" && d.txID != tx) {
		return nil, refuse(codeNotFound)
	}
	o := obj{
		{"mchOrderId", d.mchOrderID},
		{"transactionId", d.txID},
		{"amount", d.amount},
		{"fee", 0},
		{"totalAmount", d.amount},
		{"transactionStatus", d.status},
		{"channelCode", d.channel},
		{"createTime", wireTime(d.created)},
		{"returnTime", wireTime(d.returned)},
		{"transactionCreateTime", wireTime(d.created)},
		{"transactionReturnTime", wireTime(d.returned)},
		{"updateTime", wireTime(d.updated)},
		{"customerName", d.customerName},
		{"email", d.email},
		{"mobile", d.mobile},
		{"remark", d.remark},
		{"notifyUrl", d.notifyURL},
	}
	if d.status == statusFailed {
		o = append(o, kv{"failedCode", d.failedCode}, kv{"failedMessage", d.failedMessage})
	}
	return o, nil
}

// CompleteDirectDebitPayment settles the pending direct-debit charge mchOrderID as COMPLETED,
// credits the balance, and POSTs direct.debit.success to its notifyUrl; the merchant's reply
// is returned.
func (s *Server) CompleteDirectDebitPayment(mchOrderID string) (*CallbackResult, error) {
	return s.settleDD(mchOrderID, statusCompleted, 0, "")
}

// FailDirectDebitPayment settles the pending charge as FAILED with failedCode and msg, and
// POSTs direct.debit.failed to its notifyUrl; the merchant's reply is returned.
func (s *Server) FailDirectDebitPayment(mchOrderID string, failedCode int, msg string) (*CallbackResult, error) {
	return s.settleDD(mchOrderID, statusFailed, failedCode, msg)
}

func (s *Server) settleDD(mchOrderID, status string, failedCode int, msg string) (*CallbackResult, error) {
	s.mu.Lock()
	d := s.st.ddPayments[mchOrderID]
	if d == nil {
		s.mu.Unlock()
		return nil, notFound("direct-debit payment", mchOrderID)
	}
	if d.status != statusPending {
		s.mu.Unlock()
		return nil, badState("direct-debit payment %q is already %s", mchOrderID, d.status)
	}
	now := s.now()
	d.status, d.returned, d.updated = status, now, now
	s.settleCollection(d.col, status, now)
	name := "direct.debit.success"
	if status == statusFailed {
		name = "direct.debit.failed"
		d.failedCode, d.failedMessage = failedCode, msg
	}
	ev := obj{
		{"eventName", name},
		{"mchOrderId", d.mchOrderID},
		{"transactionId", d.txID},
		{"amount", d.amount},
		{"transactionStatus", status},
		{"createTime", isoTime(d.created)},
		{"returnTime", isoTime(now)},
		{"channelCode", d.channel},
		{"remark", d.remark},
	}
	if status == statusFailed {
		ev = append(ev, kv{"failedCode", failedCode}, kv{"failedMessage", msg})
	}
	url := d.notifyURL
	s.mu.Unlock()
	return s.deliver(name, url, ev), nil
}
