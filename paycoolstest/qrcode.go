package paycoolstest

import (
	"fmt"
	"strings"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// qrCode is one QR code (doc section 5).
type qrCode struct {
	mchOrderID, qrID, txID string // txID: the transaction of a dynamic/hybrid QR
	channel                string
	amount                 paycools.Amount // 0 for a static QR
	customerName, email    string
	mobile, remark         string
	appName                string // the PH dialect's appName: the merchant name a page shows
	notifyURL              string
	active                 bool
	txStatus               string // of a dynamic/hybrid QR's payment
	created, updated       time.Time
	expires                time.Time // zero for a static QR
	paid                   time.Time
	payments               []*collection
}

func (q *qrCode) static() bool { return q.amount == 0 }

func init() {
	addRoute(&route{
		op: paycools.OpQRCodeCreate, method: "POST", path: "/open-api/qr/generate",
		fields: rules(
			"channelCode* str 1..100",
			"mchOrderId* str 1..32 fmt=alnum",
			"amount int 1..",
			"notifyUrl* url 1..256",
			"customerName str 1..128",
			"email str 1..128",
			"mobile str 10..11",
			"remark str 1..256",
			"expireSeconds int 30..3600",
		),
		handle: (*Server).qrCreate,
	})
	addRoute(&route{
		op: paycools.OpQRCodeGet, method: "POST", path: "/open-api/v2/jt/qrcode/detail",
		fields: rules("mchOrderId* str 1..32"),
		handle: func(s *Server, c *call) (any, *apiError) {
			q := s.st.qrs[c.p.str("mchOrderId")]
			if q == nil {
				return nil, refuse(codeNotFound)
			}
			return q.answer(s), nil
		},
	})
	addRoute(&route{
		op: paycools.OpQRCodeListPayments, method: "POST", path: "/open-api/v2/jt/qrcode/payments",
		fields: rules("mchOrderId* str 1..32", "startDate* date", "endDate* date"),
		handle: (*Server).qrPayments,
	})
	addRoute(&route{
		op: paycools.OpQRCodeCancel, method: "POST", path: "/api/v1/qrcode/cancel",
		fields: rules("mchOrderId* str 1..32"),
		handle: func(s *Server, c *call) (any, *apiError) {
			q := s.st.qrs[c.p.str("mchOrderId")]
			if q == nil {
				return nil, refuse(codeNotFound)
			}
			if !q.active {
				return nil, refuse(codeCancelNotAllowed)
			}
			q.active, q.updated = false, c.now
			return q.answer(s), nil
		},
	})
	addRoute(&route{
		op: paycools.OpQRCodeUpdate, method: "POST", path: "/api/v1/qrcode/update",
		fields: rules(
			"mchOrderId* str 1..32",
			"customerName* str 1..100",
			"callbackUrl url 1..256",
			"email str 1..50",
			"remark str 1..256",
		),
		handle: (*Server).qrUpdate,
	})
}

// QR channel codes whose amount rules the spec gives (docs/families.md).
const (
	qrStatic  = "QRPH_STATIC_QR"
	qrDynamic = "QRPH_DYNAMIC_QR"
	qrHybrid  = "QRPH_HYBRID_QR"
	qrMinPHP  = 2000 // PHP 20.00, for dynamic and hybrid QR Ph codes
)

func (s *Server) qrCreate(c *call) (any, *apiError) {
	p := c.p
	ch := p.str("channelCode")
	amount := paycools.Amount(p.int("amount"))
	qrph := strings.HasPrefix(ch, "QRPH_")
	switch {
	case ch == qrStatic:
		amount = 0 // an open-amount code: the payer enters the amount
	case amount == 0:
		return nil, paramError("amount", "is required for channelCode %s", ch)
	case (ch == qrDynamic || ch == qrHybrid) && amount < qrMinPHP:
		return nil, paramError("amount", "must be at least %d for channelCode %s (got %d)", qrMinPHP, ch, amount)
	}
	if qrph && p.str("customerName") == "" {
		return nil, paramError("customerName", "is required for channelCode %s", ch)
	}
	exp := p.int("expireSeconds")
	if qrph && p.present("expireSeconds") && exp < 60 {
		return nil, paramError("expireSeconds", "must be between 60 and 3600 for channelCode %s (got %d)", ch, exp)
	}
	if exp == 0 {
		exp = 3600
	}
	id := p.str("mchOrderId")
	if s.st.qrs[id] != nil {
		return nil, refuse(codeDuplicateOrder)
	}
	q := &qrCode{
		mchOrderID: id, qrID: s.nextID("QR"), channel: ch, amount: amount,
		customerName: p.str("customerName"), email: p.str("email"), mobile: p.str("mobile"), appName: p.str("appName"),
		remark: p.str("remark"), notifyURL: p.str("notifyUrl"), active: true,
		created: c.now, updated: c.now,
	}
	if !q.static() {
		q.txID, q.txStatus = s.nextID("C"), statusPending
		q.expires = c.now.Add(time.Duration(exp) * time.Second)
	}
	s.st.qrs[id] = q
	return q.answer(s), nil
}

// content is a stand-in for the EMV QR Ph payload: well-formed tag-length-value text, not a
// real payable code.
func (q *qrCode) content() string {
	tlv := func(tag, v string) string { return fmt.Sprintf("%s%02d%s", tag, len(v), v) }
	point := "11"
	if !q.static() {
		point = "12"
	}
	body := tlv("00", "01") + tlv("01", point) + tlv("27", tlv("00", "com.p2pqrpay")+tlv("01", "PAYCOOLS")) +
		tlv("53", "608") + tlv("58", "PH") + tlv("59", "PAYCOOLS SANDBOX") + tlv("60", "MANILA") +
		tlv("62", tlv("05", q.mchOrderID))
	if !q.static() {
		body += tlv("54", fmt.Sprintf("%d.%02d", q.amount/100, q.amount%100))
	}
	return body + "6304" + "ABCD"
}

func (q *qrCode) status() string {
	if q.active {
		return "ACTIVE"
	}
	return "INACTIVE"
}

func (q *qrCode) answer(s *Server) obj {
	o := obj{
		{"mchOrderId", q.mchOrderID},
		{"qrCodeId", q.qrID},
		{"transactionId", q.txID},
		{"qrCodeContent", q.content()},
		{"channelCode", q.channel},
		{"notifyUrl", q.notifyURL},
		{"remark", q.remark},
		{"qrStatus", q.status()},
		{"transactionStatus", q.txStatus},
		{"qrLink", s.pageURL("qr", q.qrID)},
		{"createTime", wireTime(q.created)},
		{"updateTime", wireTime(q.updated)},
		{"expiresTime", wireTime(q.expires)},
	}
	if !q.static() {
		o = append(o, kv{"transactionCreateTime", wireTime(q.created)}, kv{"transactionReturnTime", wireTime(q.paid)},
			kv{"amount", q.amount}, kv{"fee", 0}, kv{"totalAmount", q.amount})
	}
	return o
}

func (s *Server) qrPayments(c *call) (any, *apiError) {
	if aerr := checkDates(c.p); aerr != nil {
		return nil, aerr
	}
	q := s.st.qrs[c.p.str("mchOrderId")]
	if q == nil {
		return nil, refuse(codeNotFound)
	}
	list := []obj{}
	for _, col := range q.payments {
		if !inRange(col.created, c.p.str("startDate"), c.p.str("endDate")) {
			continue
		}
		list = append(list, obj{
			{"transactionId", col.txID},
			{"mchOrderId", q.mchOrderID},
			{"channelCode", q.channel},
			{"transactionStatus", col.status},
			{"amount", col.amount},
			{"fee", 0},
			{"totalAmount", col.amount},
			{"transactionCreateTime", wireTime(col.created)},
			{"transactionReturnTime", wireTime(col.completed)},
			{"remark", q.remark},
		})
	}
	return list, nil
}

func (s *Server) qrUpdate(c *call) (any, *apiError) {
	q := s.st.qrs[c.p.str("mchOrderId")]
	if q == nil {
		return nil, refuse(codeNotFound)
	}
	if !q.active || q.txStatus == statusCompleted {
		return nil, refuse(codePaidOrClosed)
	}
	q.customerName = c.p.str("customerName")
	if u := c.p.str("callbackUrl"); u != "" {
		q.notifyURL = u
	}
	if e := c.p.str("email"); e != "" {
		q.email = e
	}
	if r := c.p.str("remark"); r != "" {
		q.remark = r
	}
	q.updated = c.now
	return q.answer(s), nil
}

// PayQRCode makes a payer pay the QR code of mchOrderID. A static QR takes any positive
// amount, any number of times; a dynamic or hybrid QR is paid once, for its own amount
// (amount 0 means that amount; another amount is refused), before it expires. The payment is
// recorded as COMPLETED, credited to the balance, and qrcode.payment.success is POSTed to the
// QR's notifyUrl; the merchant's reply is returned.
func (s *Server) PayQRCode(mchOrderID string, amount paycools.Amount) (*CallbackResult, error) {
	return s.settleQR(mchOrderID, amount, statusCompleted, 0, "")
}

// FailQRCodePayment records a failed payment attempt on a dynamic or hybrid QR code and POSTs
// qrcode.payment.failed with failedCode and msg (static QR codes only ever get success
// callbacks). The QR's transaction becomes FAILED.
func (s *Server) FailQRCodePayment(mchOrderID string, failedCode int, msg string) (*CallbackResult, error) {
	return s.settleQR(mchOrderID, 0, statusFailed, failedCode, msg)
}

func (s *Server) settleQR(mchOrderID string, amount paycools.Amount, status string, failedCode int, msg string) (*CallbackResult, error) {
	s.mu.Lock()
	q := s.st.qrs[mchOrderID]
	if q == nil {
		s.mu.Unlock()
		return nil, notFound("QR code", mchOrderID)
	}
	now := s.now()
	var err error
	switch {
	case !q.active:
		err = badState("QR code %q is cancelled", mchOrderID)
	case q.static() && status == statusFailed:
		err = badState("static QR code %q gets only success callbacks", mchOrderID)
	case q.static() && amount <= 0:
		err = badState("a static QR code needs a positive amount")
	case !q.static() && q.txStatus != statusPending:
		err = badState("QR code %q is already %s", mchOrderID, q.txStatus)
	case !q.static() && now.After(q.expires):
		err = badState("QR code %q expired at %s", mchOrderID, wireTime(q.expires))
	case !q.static() && amount != 0 && amount != q.amount:
		err = badState("QR code %q is for %d, not %d", mchOrderID, q.amount, amount)
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	txID := q.txID
	if q.static() {
		txID = s.nextID("C")
	} else {
		amount = q.amount
		q.txStatus, q.paid = status, now
	}
	col := &collection{
		txID: txID, mchOrderID: q.mchOrderID, method: "QR Code", channel: q.channel, amount: amount,
		name: q.customerName, mobile: q.mobile, status: status, created: now, completed: now,
	}
	s.addCollection(col)
	q.payments = append(q.payments, col)
	name := "qrcode.payment.success"
	if status == statusFailed {
		name = "qrcode.payment.failed"
	}
	ev := obj{
		{"eventName", name},
		{"mchOrderId", q.mchOrderID},
		{"transactionId", txID},
		{"amount", amount},
		{"fee", 0},
		{"totalAmount", amount},
		{"transactionStatus", status},
		{"createTime", wireTime(now)},
		{"returnTime", wireTime(now)},
		{"channelCode", q.channel},
		{"remark", q.remark},
	}
	if status == statusFailed {
		ev = append(ev, kv{"failedCode", failedCode}, kv{"failedMessage", msg})
	}
	url := q.notifyURL
	s.mu.Unlock()
	return s.deliver(name, url, ev), nil
}
