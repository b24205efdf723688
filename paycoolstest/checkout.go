package paycoolstest

import (
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// checkout is one checkout order (doc section 9).
type checkout struct {
	mchOrderID, checkoutID, txID       string
	amount                             paycools.Amount
	country, currency, settlement      string
	channelCodes                       []string
	customerName, email, mobile        string
	notifyURL, redirectURL, remark     string
	status                             string // PENDING, COMPLETED, FAILED, CLOSED
	channel                            string // chosen by the payer
	created, expires, returned, closed time.Time
	failedCode                         int
	failedMessage                      string
}

const checkoutClosed = "CLOSED"

// channelCatalogue is what the channel list answers per country (9.1 / 7.3). The PH codes are
// the ones the spec shows; the others are stand-ins.
var channelCatalogue = map[string][][3]string{ // country → {channelType, channelCode, currency}
	"PH": {{"QR", "PH_GCASH_QR", "PHP"}, {"QR", "PH_QRPH_DYNAMIC", "PHP"}, {"EWALLET", "PH_GCASH_URL", "PHP"},
		{"EWALLET", "PH_PAYMAYA_URL", "PHP"}, {"ONLINE_BANKING", "PH_BPI_ONLINE", "PHP"}, {"CARD", "PH_CARD", "PHP"}},
	"ID": {{"QR", "QRIS_DYNAMIC_QR", "IDR"}, {"BANK_TRANSFER", "BNI_VA", "IDR"}},
	"MY": {{"QR", "DUITNOW_DYNAMIC_QR", "MYR"}},
	"TH": {{"QR", "THAI_DYNAMIC_QR", "THB"}},
}

func init() {
	addRoute(&route{
		op: paycools.OpCheckoutChannels, method: "POST", path: "/open-api/payment/checkout/channel",
		fields: rules("countryCode* str enum=PH|ID|MY|TH|RU"),
		handle: func(s *Server, c *call) (any, *apiError) {
			cc := c.p.str("countryCode")
			list := []obj{}
			for _, ch := range channelCatalogue[cc] {
				list = append(list, obj{{"channelType", ch[0]}, {"channelCode", ch[1]}, {"countryCode", cc}, {"currency", ch[2]}})
			}
			return obj{{"list", list}}, nil
		},
	})
	aliases[paycools.OpWebPaymentChannels] = paycools.OpCheckoutChannels
	addRoute(&route{
		op: paycools.OpCheckoutCreate, method: "POST", path: "/open-api/payment/checkout/generate",
		fields: rules(
			"mchOrderId* str 1..32",
			"merchantLogo url",
			"language str enum=EN|IN|TH",
			"countryCode* str enum=PH|ID|MY|TH",
			"currency* str enum=PHP|IDR|MYR|THB",
			"settlementCurrency* str enum=PHP|IDR|MYR|THB",
			"channelTypeList array enum=QR|ONLINE_BANKING|EWALLET|BANK_TRANSFER|CARD|PAYLATER",
			"channelCodeList array",
			"amount* int 1..",
			"customerName* str 1..128",
			"email* str 1..128",
			"mobile* str 10..14",
			"expireSeconds int 1..",
			"notifyUrl* url 1..256",
			"redirectUrl* url 1..512",
			"remark str 1..256",
			"virtualAccountName str",
			"goodsDetails array",
			"billingAddress object",
		),
		handle: (*Server).checkoutCreate,
	})
	byOrderOrID := rules("mchOrderId str 1..32", "checkoutId str 1..64")
	addRoute(&route{
		op: paycools.OpCheckoutGet, method: "POST", path: "/open-api/payment/checkout/query",
		fields: byOrderOrID, handle: (*Server).checkoutGet,
	})
	addRoute(&route{
		op: paycools.OpCheckoutClose, method: "POST", path: "/open-api/payment/checkout/close",
		fields: byOrderOrID, handle: (*Server).checkoutClose,
	})
}

// defaultCheckoutLife is the lifetime of a checkout order created without expireSeconds.
const defaultCheckoutLife = 24 * time.Hour

func (s *Server) checkoutCreate(c *call) (any, *apiError) {
	p := c.p
	if contains(p.strs("channelTypeList"), "PAYLATER") {
		for _, n := range []string{"goodsDetails", "billingAddress"} {
			if !p.present(n) {
				return nil, paramError(n, "is required when channelTypeList contains PAYLATER")
			}
		}
	}
	id := p.str("mchOrderId")
	if s.st.checkouts[id] != nil {
		return nil, refuse(codeDuplicateOrder)
	}
	life := defaultCheckoutLife
	if n := p.int("expireSeconds"); n > 0 {
		life = time.Duration(n) * time.Second
	}
	co := &checkout{
		mchOrderID: id, checkoutID: s.nextID("CH"), amount: paycools.Amount(p.int("amount")),
		country: p.str("countryCode"), currency: p.str("currency"), settlement: p.str("settlementCurrency"),
		channelCodes: p.strs("channelCodeList"), customerName: p.str("customerName"),
		email: p.str("email"), mobile: p.str("mobile"), notifyURL: p.str("notifyUrl"),
		redirectURL: p.str("redirectUrl"), remark: p.str("remark"),
		status: statusPending, created: c.now, expires: c.now.Add(life),
	}
	s.st.checkouts[id] = co
	s.st.checkoutIDs[co.checkoutID] = co
	return obj{
		{"checkoutId", co.checkoutID},
		{"checkoutUrl", s.pageURL("checkout", co.checkoutID)},
		{"status", co.status},
		{"expiresTime", isoTime(co.expires)},
		{"mchOrderId", co.mchOrderID},
	}, nil
}

func (s *Server) findCheckout(p params) (*checkout, *apiError) {
	id, cid := p.str("mchOrderId"), p.str("checkoutId")
	if id == "" && cid == "" {
		return nil, paramError("mchOrderId", "or checkoutId is required")
	}
	co := s.st.checkouts[id]
	if id == "" {
		co = s.st.checkoutIDs[cid]
	}
	if co == nil || (cid != "" && co.checkoutID != cid) {
		return nil, refuse(codeNotFound)
	}
	return co, nil
}

func (s *Server) checkoutGet(c *call) (any, *apiError) {
	co, aerr := s.findCheckout(c.p)
	if aerr != nil {
		return nil, aerr
	}
	o := obj{
		{"mchOrderId", co.mchOrderID},
		{"checkoutId", co.checkoutID},
		{"transactionId", co.txID},
		{"amount", co.amount},
		{"currency", co.currency},
		{"settlementCurrency", co.settlement},
		{"countryCode", co.country},
		{"transactionStatus", co.status},
		{"channelCode", co.channel},
		{"createTime", wireTime(co.created)},
		{"returnTime", wireTime(co.returned)},
		{"remark", co.remark},
		{"callbackUrl", co.notifyURL},
	}
	if co.status == statusFailed {
		o = append(o, kv{"failedCode", co.failedCode}, kv{"failedMessage", co.failedMessage})
	}
	return o, nil
}

func (s *Server) checkoutClose(c *call) (any, *apiError) {
	co, aerr := s.findCheckout(c.p)
	if aerr != nil {
		return nil, aerr
	}
	if co.status != statusPending {
		return nil, refuse(codePaidOrClosed)
	}
	co.status, co.closed = checkoutClosed, c.now
	return obj{
		{"mchOrderId", co.mchOrderID},
		{"checkoutId", co.checkoutID},
		{"transactionId", co.txID},
		{"channelCode", co.channel},
		{"status", co.status},
		{"closedTime", wireTime(co.closed)},
	}, nil
}

// PayCheckout makes the payer pay the pending checkout order of mchOrderID on its checkout
// page, with the first channel of its channelCodeList (PH_GCASH_URL when it has none). The
// order must not be expired or closed. It becomes COMPLETED, the payment is credited to the
// balance, and checkout.payment.success is POSTed to its notifyUrl; the merchant's reply is
// returned.
func (s *Server) PayCheckout(mchOrderID string) (*CallbackResult, error) {
	return s.settleCheckout(mchOrderID, statusCompleted, 0, "")
}

// FailCheckout makes the payer's payment of the checkout order fail with failedCode and msg:
// the order becomes FAILED and checkout.payment.failed is POSTed to its notifyUrl.
func (s *Server) FailCheckout(mchOrderID string, failedCode int, msg string) (*CallbackResult, error) {
	return s.settleCheckout(mchOrderID, statusFailed, failedCode, msg)
}

func (s *Server) settleCheckout(mchOrderID, status string, failedCode int, msg string) (*CallbackResult, error) {
	s.mu.Lock()
	co := s.st.checkouts[mchOrderID]
	if co == nil {
		s.mu.Unlock()
		return nil, notFound("checkout", mchOrderID)
	}
	now := s.now()
	if co.status != statusPending {
		s.mu.Unlock()
		return nil, badState("checkout %q is already %s", mchOrderID, co.status)
	}
	if now.After(co.expires) {
		s.mu.Unlock()
		return nil, badState("checkout %q expired at %s", mchOrderID, isoTime(co.expires))
	}
	co.channel = "PH_GCASH_URL"
	if len(co.channelCodes) > 0 {
		co.channel = co.channelCodes[0]
	}
	co.txID, co.status, co.returned = s.nextID("C"), status, now
	s.addCollection(&collection{
		txID: co.txID, mchOrderID: co.mchOrderID, method: "Checkout", channel: co.channel,
		amount: co.amount, name: co.customerName, mobile: co.mobile, status: status,
		created: now, completed: now,
	})
	name := "checkout.payment.success"
	if status == statusFailed {
		name = "checkout.payment.failed"
		co.failedCode, co.failedMessage = failedCode, msg
	}
	ev := obj{
		{"eventName", name},
		{"checkoutId", co.checkoutID},
		{"countryCode", co.country},
		{"currency", co.currency},
		{"settlementCurrency", co.settlement},
		{"mchOrderId", co.mchOrderID},
		{"transactionId", co.txID},
		{"amount", co.amount},
		{"transactionStatus", status},
		{"createTime", wireTime(now)},
		{"returnTime", wireTime(now)},
		{"channelCode", co.channel},
		{"remark", co.remark},
	}
	if status == statusFailed {
		ev = append(ev, kv{"failedCode", failedCode}, kv{"failedMessage", msg})
	}
	url := co.notifyURL
	s.mu.Unlock()
	return s.deliver(name, url, ev), nil
}
