package paycoolstest

import (
	"fmt"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// btGroup is the bank-transfer accounts of one merchant order id (doc section 6).
type btGroup struct {
	mchOrderID, appName  string
	customerName, email  string
	mobile, description  string
	minAmount, maxAmount paycools.Amount
	expireDay            string
	shortLink            string
	accounts             []*btAccount
	payments             []*collection
}

type btAccount struct {
	channel, number string
	active          bool
	created         time.Time
}

func init() {
	addRoute(&route{
		op: paycools.OpBankTransferBatchCreateAccounts, method: "POST", path: "/api/v1/batch/paymentAccount",
		fields: rules(
			"appName* str 1..100 fmt=letters",
			"mchOrderId* str 1..32 fmt=alnum",
			"channelCode* list",
			"customerName* str 1..100",
			"email str 1..50",
			"minAmount int 1..",
			"maxAmount int 1..",
			"mobile str 11..14",
			"expireTime date",
			"description str",
		),
		handle: (*Server).btCreate,
	})
	addRoute(&route{
		op: paycools.OpBankTransferBatchUpdateAccounts, method: "POST", path: "/api/v1/batch/paymentAccount/{mchOrderId}/update",
		fields: rules("mchOrderId* str 1..32 fmt=alnum", "channelCode* list"),
		handle: (*Server).btUpdate,
	})
	addRoute(&route{
		op: paycools.OpBankTransferListPayments, method: "GET", path: "/api/v1/paymentAccount/{mchOrderId}/payments",
		fields: rules("mchOrderId* str 1..32 fmt=alnum", "startDate* date", "endDate* date", "channelCode list"),
		handle: (*Server).btPayments,
	})
}

func (g *btGroup) account(channel string) *btAccount {
	for _, a := range g.accounts {
		if a.channel == channel {
			return a
		}
	}
	return nil
}

func (s *Server) newBTAccount(g *btGroup, channel string, now time.Time) {
	s.seq++
	g.accounts = append(g.accounts, &btAccount{channel: channel, number: fmt.Sprintf("9991%08d", s.seq), active: true, created: now})
}

func (s *Server) btAnswer(g *btGroup) obj {
	list := []obj{}
	for _, a := range g.accounts {
		if !a.active {
			continue
		}
		list = append(list, obj{
			{"mchOrderId", g.mchOrderID},
			{"channelCode", a.channel},
			{"guideUrl", s.pageURL("guide", "bt", g.mchOrderID, a.channel)},
			{"receivingBank", "AllBank"},
			{"accountName", "PayCools"},
			{"accountNumber", a.number},
		})
	}
	return obj{{"shortLink", g.shortLink}, {"paymentAccountList", list}}
}

func (s *Server) btCreate(c *call) (any, *apiError) {
	p := c.p
	if p.present("minAmount") && p.present("maxAmount") && p.int("minAmount") > p.int("maxAmount") {
		return nil, paramError("minAmount", "is above maxAmount")
	}
	chans := p.list("channelCode")
	if dupCodes(chans) {
		return nil, paramError("channelCode", "repeats a code")
	}
	id := p.str("mchOrderId")
	if s.st.btGroups[id] != nil {
		return nil, refuse(codeDuplicateOrder)
	}
	s.seq++
	g := &btGroup{
		mchOrderID: id, appName: p.str("appName"), customerName: p.str("customerName"),
		email: p.str("email"), mobile: p.str("mobile"), description: p.str("description"),
		minAmount: paycools.Amount(p.int("minAmount")), maxAmount: paycools.Amount(p.int("maxAmount")),
		expireDay: p.str("expireTime"), shortLink: trimSlash(s.url, fmt.Sprintf("/s/%07d", s.seq)),
	}
	for _, ch := range chans {
		s.newBTAccount(g, ch, c.now)
	}
	s.st.btGroups[id] = g
	return s.btAnswer(g), nil
}

func (s *Server) btUpdate(c *call) (any, *apiError) {
	g := s.st.btGroups[c.p.str("mchOrderId")]
	if g == nil {
		return nil, refuse(codeNotFound)
	}
	chans := c.p.list("channelCode")
	if dupCodes(chans) {
		return nil, paramError("channelCode", "repeats a code")
	}
	for _, a := range g.accounts {
		a.active = contains(chans, a.channel)
	}
	for _, ch := range chans {
		if g.account(ch) == nil {
			s.newBTAccount(g, ch, c.now)
		}
	}
	return s.btAnswer(g), nil
}

func (s *Server) btPayments(c *call) (any, *apiError) {
	if aerr := checkDates(c.p); aerr != nil {
		return nil, aerr
	}
	g := s.st.btGroups[c.p.str("mchOrderId")]
	if g == nil {
		return nil, refuse(codeNotFound)
	}
	only := c.p.list("channelCode")
	list := []obj{}
	for _, col := range g.payments {
		if !inRange(col.created, c.p.str("startDate"), c.p.str("endDate")) || (only != nil && !contains(only, col.channel)) {
			continue
		}
		list = append(list, obj{
			{"transactionId", col.txID},
			{"transactionCreateTime", wireTime(col.created)},
			{"transactionReturnTime", wireTime(col.completed)},
			{"transactionAmount", col.amount},
			{"channelCode", col.channel},
			{"transactionStatus", col.status},
			{"remark", g.description},
		})
	}
	return list, nil
}

// PayBankTransfer makes the customer of mchOrderID transfer amount into their first active
// bank-transfer account. The account must not be expired and the amount must be within the
// account's minAmount/maxAmount. The transfer is recorded as COMPLETED, credited to the
// balance, and transfer.payment.success is POSTed to the dashboard callback URL
// (SetCallbackURL: these accounts have no notifyUrl); the merchant's reply is returned.
func (s *Server) PayBankTransfer(mchOrderID string, amount paycools.Amount) (*CallbackResult, error) {
	s.mu.Lock()
	g := s.st.btGroups[mchOrderID]
	if g == nil {
		s.mu.Unlock()
		return nil, notFound("bank-transfer account", mchOrderID)
	}
	var a *btAccount
	for _, x := range g.accounts {
		if x.active {
			a = x
			break
		}
	}
	now := s.now()
	var err error
	switch {
	case a == nil:
		err = badState("bank-transfer account %q has no active channel", mchOrderID)
	case g.expireDay != "" && wireDate(now) > g.expireDay:
		err = badState("bank-transfer account %q expired on %s", mchOrderID, g.expireDay)
	case amount <= 0:
		err = badState("amount %d (%s) is not positive", amount, money(amount, "PHP"))
	case g.minAmount > 0 && amount < g.minAmount, g.maxAmount > 0 && amount > g.maxAmount:
		err = badState("amount %d (%s) is outside %d..%d (%s)", amount, money(amount, "PHP"), g.minAmount, g.maxAmount, limits(g.minAmount, g.maxAmount))
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	col := &collection{
		txID: s.nextID("C"), mchOrderID: g.mchOrderID, method: "Bank Transfer", channel: a.channel,
		reference: a.number, amount: amount, name: g.customerName, mobile: g.mobile,
		status: statusCompleted, created: now, completed: now,
	}
	s.addCollection(col)
	g.payments = append(g.payments, col)
	ev := obj{
		{"eventName", "transfer.payment.success"},
		{"mchOrderId", g.mchOrderID},
		{"transactionId", col.txID},
		{"amount", amount},
		{"transactionStatus", statusCompleted},
		{"createTime", wireTime(now)},
		{"returnTime", wireTime(now)},
		{"channelCode", a.channel},
		{"paymentAccount", a.number},
		{"remark", g.description},
	}
	url := s.callbackURL
	s.mu.Unlock()
	return s.deliver("transfer.payment.success", url, ev), nil
}
