package paycoolstest

import (
	"fmt"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// vaGroup is the static virtual accounts of one merchant order id (doc section 4): one VA per
// channel.
type vaGroup struct {
	mchOrderID              string
	customerName, email     string
	mobile, remark, appName string
	notifyURL               string // "" for batch-made groups: the dashboard URL applies
	minAmount, maxAmount    paycools.Amount
	expireDay               string // yyyy-MM-dd, "" = never
	shortLink               string
	vas                     []*virtualAccount
	payments                []*collection
	server                  *Server
}

type virtualAccount struct {
	channel   string
	reference string
	active    bool
	created   time.Time
}

func (g *vaGroup) va(channel string) *virtualAccount {
	for _, v := range g.vas {
		if v.channel == channel {
			return v
		}
	}
	return nil
}

// eventVerification is the event name of the repayment verification question (doc 4.6).
const eventVerification = "payment.verification"

func init() {
	addRoute(&route{
		op: paycools.OpBillsPaymentCreateVirtualAccount, method: "POST", path: "/open-api/philippines/static/payment/generate",
		fields: rules(
			"mchOrderId* str 1..32",
			"customerName* str 1..128",
			"channelCode* str 1..64",
			"notifyUrl* url 1..256",
			"email* str 1..128 fmt=email",
			"mobile* str 11..14 fmt=mobile",
			"remark str 1..256",
		),
		handle: (*Server).vaCreate,
	})
	addRoute(&route{
		op: paycools.OpBillsPaymentBatchCreateVirtualAccounts, method: "POST", path: "/api/v1/batch/paymentCode",
		fields: rules(
			"appName* str 1..100 fmt=letters",
			"mchOrderId* str 1..32 fmt=alnum",
			"channelCode* list",
			"customerName* str 1..100",
			"email* str 1..50 fmt=email",
			"minAmount int 1..",
			"maxAmount int 1..",
			"mobile str 11..14",
			"expireTime date",
			"description str",
		),
		handle: (*Server).vaBatchCreate,
	})
	addRoute(&route{
		op: paycools.OpBillsPaymentUpdateVirtualAccount, method: "POST", path: "/api/v1/batch/paymentCode/{mchOrderId}/update",
		fields: rules("mchOrderId* str 1..32", "channelCode* list"),
		handle: (*Server).vaUpdate,
	})
	addRoute(&route{
		op: paycools.OpBillsPaymentCashierURL, method: "POST", path: "/api/v1/paymentCode/cashier",
		fields: rules("mchOrderId* str 1..32"),
		handle: func(s *Server, c *call) (any, *apiError) {
			g := s.st.vaGroups[c.p.str("mchOrderId")]
			if g == nil {
				return nil, refuse(codeNotFound)
			}
			return g.batchAnswer(true), nil
		},
	})
	addRoute(&route{
		op: paycools.OpBillsPaymentListPayments, method: "POST", path: "/open-api/static/payment/code/payments",
		fields: rules("mchOrderId* str 1..32", "startDate* date", "endDate* date"),
		handle: (*Server).vaPayments,
	})
	addRoute(&route{
		op: paycools.OpBillsPaymentCancelVirtualAccount, method: "POST", path: "/open-api/philippines/static/code/cancel",
		fields: rules("mchOrderId* str 1..32", "channelCode* str 1..64"),
		handle: (*Server).vaCancel,
	})
}

// billerFor is the biller name a payer picks for a channel.
func billerFor(channel string) string {
	if channel == "RDP_STATIC_VA" {
		return "Dragonpay"
	}
	return "PAYCOOLS LOAN"
}

func (s *Server) guideURL(mchOrderID, channel string) string {
	return s.pageURL("guide", "va", mchOrderID, channel)
}

// vaObj is one VirtualAccount as PayCools answers it (both editions' fields).
func (g *vaGroup) vaObj(v *virtualAccount, s *Server) obj {
	st := "ACTIVE"
	if !v.active {
		st = "INACTIVE"
	}
	return obj{
		{"mchOrderId", g.mchOrderID},
		{"channelCode", v.channel},
		{"referenceNumber", v.reference},
		{"biller", billerFor(v.channel)},
		{"guideUrl", s.guideURL(g.mchOrderID, v.channel)},
		{"payData", v.reference},
		{"channelType", "VA"},
		{"status", st},
		{"createTime", wireTime(v.created)},
		{"expiresTime", expiryTime(g.expireDay)},
	}
}

// expiryTime is the end of the last day a VA accepts payments.
func expiryTime(day string) string {
	if day == "" {
		return ""
	}
	return day + " 23:59:59"
}

// batchAnswer is {shortLink, paymentVaList} (4.2, 4.3, 4.4).
func (g *vaGroup) batchAnswer(onlyActive bool) obj {
	list := []obj{}
	for _, v := range g.vas {
		if onlyActive && !v.active {
			continue
		}
		list = append(list, g.vaObj(v, g.server))
	}
	return obj{{"shortLink", g.shortLink}, {"paymentVaList", list}}
}

func (s *Server) newVA(g *vaGroup, channel string, now time.Time) *virtualAccount {
	s.seq++
	v := &virtualAccount{channel: channel, reference: fmt.Sprintf("PC%013d", s.seq), active: true, created: now}
	g.vas = append(g.vas, v)
	return v
}

func (s *Server) newGroup(mchOrderID string) *vaGroup {
	s.seq++
	g := &vaGroup{mchOrderID: mchOrderID, server: s, shortLink: trimSlash(s.url, fmt.Sprintf("/s/%07d", s.seq))}
	s.st.vaGroups[mchOrderID] = g
	return g
}

func (s *Server) vaCreate(c *call) (any, *apiError) {
	p := c.p
	id, ch := p.str("mchOrderId"), p.str("channelCode")
	g := s.st.vaGroups[id]
	if g != nil && g.va(ch) != nil {
		return nil, refuse(codeDuplicateOrder)
	}
	if g == nil {
		g = s.newGroup(id)
		g.customerName, g.email, g.mobile, g.remark = p.str("customerName"), p.str("email"), p.str("mobile"), p.str("remark")
	}
	g.notifyURL = p.str("notifyUrl")
	v := s.newVA(g, ch, c.now)
	return g.vaObj(v, s), nil
}

func (s *Server) vaBatchCreate(c *call) (any, *apiError) {
	p := c.p
	if p.present("minAmount") && p.present("maxAmount") && p.int("minAmount") > p.int("maxAmount") {
		return nil, paramError("minAmount", "is above maxAmount")
	}
	id, chans := p.str("mchOrderId"), p.list("channelCode")
	if dupCodes(chans) {
		return nil, paramError("channelCode", "repeats a code")
	}
	if g := s.st.vaGroups[id]; g != nil {
		return nil, refuse(codeDuplicateOrder)
	}
	g := s.newGroup(id)
	g.appName, g.customerName, g.email = p.str("appName"), p.str("customerName"), p.str("email")
	g.mobile, g.remark, g.expireDay = p.str("mobile"), p.str("description"), p.str("expireTime")
	g.minAmount, g.maxAmount = paycools.Amount(p.int("minAmount")), paycools.Amount(p.int("maxAmount"))
	for _, ch := range chans {
		s.newVA(g, ch, c.now)
	}
	return g.batchAnswer(true), nil
}

func dupCodes(codes []string) bool {
	seen := map[string]bool{}
	for _, c := range codes {
		if seen[c] {
			return true
		}
		seen[c] = true
	}
	return false
}

// vaUpdate makes the group's channel set the given one: new channels get a VA, channels left
// out are deactivated (the spec does not say whether the set replaces or adds; replacing is
// this gateway's reading).
func (s *Server) vaUpdate(c *call) (any, *apiError) {
	g := s.st.vaGroups[c.p.str("mchOrderId")]
	if g == nil {
		return nil, refuse(codeNotFound)
	}
	chans := c.p.list("channelCode")
	if dupCodes(chans) {
		return nil, paramError("channelCode", "repeats a code")
	}
	for _, v := range g.vas {
		v.active = contains(chans, v.channel)
	}
	for _, ch := range chans {
		if g.va(ch) == nil {
			s.newVA(g, ch, c.now)
		}
	}
	return g.batchAnswer(true), nil
}

func (s *Server) vaPayments(c *call) (any, *apiError) {
	if aerr := checkDates(c.p); aerr != nil {
		return nil, aerr
	}
	g := s.st.vaGroups[c.p.str("mchOrderId")]
	if g == nil {
		return nil, refuse(codeNotFound)
	}
	list := []obj{}
	for _, col := range g.payments {
		if !inRange(col.created, c.p.str("startDate"), c.p.str("endDate")) {
			continue
		}
		list = append(list, obj{
			{"transactionId", col.txID},
			{"mchOrderId", g.mchOrderID},
			{"channelCode", col.channel},
			{"referenceNumber", col.reference},
			{"transactionAmount", col.amount},
			{"transactionStatus", phStatus(col.status)},
			{"transactionCreateTime", wireTime(col.created)},
			{"transactionReturnTime", wireTime(col.completed)},
			{"remark", g.remark},
		})
	}
	return list, nil
}

func (s *Server) vaCancel(c *call) (any, *apiError) {
	g := s.st.vaGroups[c.p.str("mchOrderId")]
	if g == nil {
		return nil, refuse(codeNotFound)
	}
	var v *virtualAccount
	if c.p.str("channelCode") == "*" { // the PH dialect's 4.7: every active channel of the order
		for _, x := range g.vas {
			if x.active {
				x.active, v = false, x
			}
		}
		if v == nil {
			return nil, refuse(codeCancelNotAllowed)
		}
	} else {
		v = g.va(c.p.str("channelCode"))
		if v == nil {
			return nil, refuse(codeNotFound)
		}
		if !v.active {
			return nil, refuse(codeCancelNotAllowed)
		}
		v.active = false
	}
	list := []obj{}
	for _, x := range g.vas {
		list = append(list, g.vaObj(x, s))
	}
	return obj{
		{"mchOrderId", g.mchOrderID},
		{"channelCode", v.channel},
		{"payData", v.reference},
		{"status", "INACTIVE"},
		{"createTime", wireTime(v.created)},
		{"expiresTime", expiryTime(g.expireDay)},
		{"paymentVaList", list},
	}, nil
}

// PayVirtualAccount makes a payer pay amount into the first active virtual account of
// mchOrderID. See PayVirtualAccountChannel.
func (s *Server) PayVirtualAccount(mchOrderID string, amount paycools.Amount) (*CallbackResult, error) {
	return s.PayVirtualAccountChannel(mchOrderID, "", amount)
}

// PayVirtualAccountChannel makes a payer pay amount into the virtual account of mchOrderID on
// channel ("" = the first active one). The VA must be active, not expired, and the amount
// within the group's minAmount/maxAmount. When a repayment verification URL is set
// (SetRepaymentVerificationURL), the gateway first asks payment.verification there; unless
// the merchant accepts (HTTP 200, code 2000), nothing is collected and ErrRefused is returned
// with the verification's result. Otherwise the payment is recorded as COMPLETED, credited to
// the balance, and payment.success is POSTed to the VA's notifyUrl (or the dashboard URL for
// batch-made VAs); the merchant's reply to that is returned.
func (s *Server) PayVirtualAccountChannel(mchOrderID, channel string, amount paycools.Amount) (*CallbackResult, error) {
	s.mu.Lock()
	g := s.st.vaGroups[mchOrderID]
	if g == nil {
		s.mu.Unlock()
		return nil, notFound("virtual account", mchOrderID)
	}
	var v *virtualAccount
	for _, x := range g.vas {
		if x.active && (channel == "" || x.channel == channel) {
			v = x
			break
		}
	}
	now := s.now()
	var err error
	switch {
	case v == nil:
		err = badState("virtual account %q has no active VA on channel %q", mchOrderID, channel)
	case g.expireDay != "" && wireDate(now) > g.expireDay:
		err = badState("virtual account %q expired on %s", mchOrderID, g.expireDay)
	case amount <= 0:
		err = badState("amount %d (%s) is not positive", amount, money(amount, "PHP"))
	case g.minAmount > 0 && amount < g.minAmount, g.maxAmount > 0 && amount > g.maxAmount:
		err = badState("amount %d (%s) is outside %d..%d (%s)", amount, money(amount, "PHP"), g.minAmount, g.maxAmount, limits(g.minAmount, g.maxAmount))
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	verifyURL := s.verificationURL
	question := obj{
		{"eventName", eventVerification},
		{"mchOrderId", g.mchOrderID},
		{"channelCode", v.channel},
		{"referenceNumber", v.reference},
		{"amount", amount},
		{"mobile", g.mobile},
		{"createTime", wireTime(now)},
	}
	s.mu.Unlock()

	if verifyURL != "" {
		res := s.deliver(eventVerification, verifyURL, question)
		if !res.Accepted() {
			return res, ErrRefused
		}
	}

	s.mu.Lock()
	now = s.now()
	col := &collection{
		txID: s.nextID("C"), mchOrderID: g.mchOrderID, method: "Bills Payment", channel: v.channel,
		reference: v.reference, amount: amount, name: g.customerName, mobile: g.mobile,
		status: statusCompleted, created: now, completed: now,
	}
	s.addCollection(col)
	g.payments = append(g.payments, col)
	url := g.notifyURL
	if url == "" {
		url = s.callbackURL
	}
	ev := obj{
		{"eventName", "payment.success"},
		{"mchOrderId", g.mchOrderID},
		{"transactionId", col.txID},
		{"referenceNumber", v.reference},
		{"channelCode", v.channel},
		{"amount", amount},
		{"transactionStatus", statusCompleted},
		{"createTime", wireTime(col.created)},
		{"returnTime", wireTime(col.completed)},
		{"remark", g.remark},
	}
	s.mu.Unlock()
	return s.deliver("payment.success", url, ev), nil
}
