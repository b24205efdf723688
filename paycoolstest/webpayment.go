package paycoolstest

import (
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// webPayment is one web payment (doc section 7).
type webPayment struct {
	mchOrderID, txID       string
	amount                 paycools.Amount
	country, currency      string
	channelType, channel   string
	customerName, email    string
	mobile, remark         string
	appName                string // the PH dialect's appName: the merchant name a page shows
	notifyURL, redirectURL string
	status                 string
	created, returned      time.Time
	failedCode             int
	failedMessage          string
	col                    *collection
}

// Web payment limits for PHP (docs/families.md 7.1), in centavos.
const (
	webMinPHP = 100
	webMaxPHP = 5_000_000
)

func init() {
	addRoute(&route{
		op: paycools.OpWebPaymentCreate, method: "POST", path: "/open-api/payment/generate",
		fields: rules(
			"mchOrderId* str 1..32 fmt=alnum",
			"amount* int 1..",
			"countryCode* str enum=PH|ID|MY|TH|RU",
			"currency* str enum=PHP|IDR|MYR|THB|RUB",
			"channelType* str enum=QR|ONLINE_BANKING|EWALLET|BANK_TRANSFER|CARD|DIRECT_DEBIT|PAYLATER",
			"channelCode* str 1..100",
			"payToken str",
			"customerName str 1..128",
			"email str 1..128",
			"mobile str 10..14",
			"terminalType str enum=WEB|WAP|APP",
			"osType str enum=IOS|ANDROID|OTHER",
			"notifyUrl* url 1..256",
			"redirectUrl url 1..512",
			"remark str 1..256",
			"goodsDetails array",
		),
		handle: (*Server).webCreate,
	})
	addRoute(&route{
		op: paycools.OpWebPaymentGet, method: "POST", path: "/open-api/payment/query",
		fields: rules(
			"mchOrderId str 1..32",
			"transactionId str 1..32",
			"countryCode* str enum=PH|ID|MY|TH|RU",
		),
		handle: (*Server).webGet,
	})
}

func (s *Server) webCreate(c *call) (any, *apiError) {
	p := c.p
	ct := p.str("channelType")
	if ct == "DIRECT_DEBIT" {
		if !p.present("payToken") {
			return nil, paramError("payToken", "is required when channelType is DIRECT_DEBIT")
		}
	} else {
		for _, n := range []string{"customerName", "email", "mobile", "terminalType"} {
			if !p.present(n) {
				return nil, paramError(n, "is required unless channelType is DIRECT_DEBIT")
			}
		}
	}
	switch ct {
	case "ONLINE_BANKING", "EWALLET", "CARD", "PAYLATER":
		if !p.present("redirectUrl") {
			return nil, paramError("redirectUrl", "is required when channelType is %s", ct)
		}
	}
	if ct == "PAYLATER" && !p.present("goodsDetails") {
		return nil, paramError("goodsDetails", "is required when channelType is PAYLATER")
	}
	amount := paycools.Amount(p.int("amount"))
	if p.str("currency") == "PHP" {
		if amount < webMinPHP {
			return nil, paramError("amount", "must be at least %d centavos (got %d)", webMinPHP, amount)
		}
		if amount > webMaxPHP {
			return nil, refuse(codeAmountLimit)
		}
	}
	if ct == "DIRECT_DEBIT" {
		if t := s.st.tokens[p.str("payToken")]; t == nil || !t.active {
			return nil, refuse(codeAccessToken)
		}
	}
	id := p.str("mchOrderId")
	if s.st.web[id] != nil {
		return nil, refuse(codeDuplicateOrder)
	}
	w := &webPayment{
		mchOrderID: id, txID: s.nextID("C"), amount: amount,
		country: p.str("countryCode"), currency: p.str("currency"),
		channelType: ct, channel: p.str("channelCode"),
		customerName: p.str("customerName"), email: p.str("email"), mobile: p.str("mobile"), appName: p.str("appName"),
		remark: p.str("remark"), notifyURL: p.str("notifyUrl"), redirectURL: p.str("redirectUrl"),
		status: statusPending, created: c.now,
	}
	w.col = &collection{
		txID: w.txID, mchOrderID: id, method: "Web Payment", channel: w.channel, amount: amount,
		name: w.customerName, mobile: w.mobile, status: statusPending, created: c.now,
	}
	s.addCollection(w.col)
	s.st.web[id] = w
	s.st.webByTx[w.txID] = w
	return w.answer(s), nil
}

func (w *webPayment) answer(s *Server) obj {
	return obj{
		{"mchOrderId", w.mchOrderID},
		{"transactionId", w.txID},
		{"transactionStatus", w.status},
		{"countryCode", w.country},
		{"currency", w.currency},
		{"channelType", w.channelType},
		{"channelCode", w.channel},
		{"amount", w.amount},
		{"payData", s.pageURL("pay", w.txID)},
		{"createTime", wireTime(w.created)},
		{"returnTime", wireTime(w.returned)},
		{"remark", w.remark},
		{"customerName", w.customerName},
		{"email", w.email},
		{"mobile", w.mobile},
		{"notifyUrl", w.notifyURL},
	}
}

func (s *Server) webGet(c *call) (any, *apiError) {
	id, tx := c.p.str("mchOrderId"), c.p.str("transactionId")
	if id == "" && tx == "" {
		return nil, paramError("mchOrderId", "or transactionId is required")
	}
	w := s.st.web[id]
	if id == "" {
		w = s.st.webByTx[tx]
	}
	if w == nil || (tx != "" && w.txID != tx) || w.country != c.p.str("countryCode") {
		return nil, refuse(codeNotFound)
	}
	o := w.answer(s)
	if w.status == statusFailed {
		o = append(o, kv{"failedCode", w.failedCode}, kv{"failedMessage", w.failedMessage})
	}
	return o, nil
}

// CompleteWebPayment settles the pending web payment of mchOrderID as COMPLETED (the payer
// paid), credits the balance, and POSTs h5.payment.success to its notifyUrl; the merchant's
// reply is returned.
func (s *Server) CompleteWebPayment(mchOrderID string) (*CallbackResult, error) {
	return s.settleWeb(mchOrderID, statusCompleted, 0, "")
}

// FailWebPayment settles the pending web payment of mchOrderID as FAILED with failedCode and
// msg, and POSTs h5.payment.failed to its notifyUrl; the merchant's reply is returned.
func (s *Server) FailWebPayment(mchOrderID string, failedCode int, msg string) (*CallbackResult, error) {
	return s.settleWeb(mchOrderID, statusFailed, failedCode, msg)
}

func (s *Server) settleWeb(mchOrderID, status string, failedCode int, msg string) (*CallbackResult, error) {
	s.mu.Lock()
	w := s.st.web[mchOrderID]
	if w == nil {
		s.mu.Unlock()
		return nil, notFound("web payment", mchOrderID)
	}
	if w.status != statusPending {
		s.mu.Unlock()
		return nil, badState("web payment %q is already %s", mchOrderID, w.status)
	}
	now := s.now()
	w.status, w.returned = status, now
	s.settleCollection(w.col, status, now)
	name := "h5.payment.success"
	if status == statusFailed {
		name = "h5.payment.failed"
		w.failedCode, w.failedMessage = failedCode, msg
	}
	ev := obj{
		{"eventName", name},
		{"mchOrderId", w.mchOrderID},
		{"transactionId", w.txID},
		{"amount", w.amount},
		{"transactionStatus", status},
		{"createTime", wireTime(w.created)},
		{"returnTime", wireTime(now)},
		{"channelCode", w.channel},
		{"remark", w.remark},
	}
	if status == statusFailed {
		ev = append(ev, kv{"failedCode", failedCode}, kv{"failedMessage", msg})
	}
	url := w.notifyURL
	s.mu.Unlock()
	return s.deliver(name, url, ev), nil
}
