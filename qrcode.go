package paycools

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// QR code payment callback events (doc 5.5). Both carry a *QRCodePaymentNotification.
const (
	// EventQRCodePaymentSuccess is sent when a payment on a QR code completed.
	EventQRCodePaymentSuccess = "qrcode.payment.success"
	// EventQRCodePaymentFailed is sent when a payment on a QR code failed. Static QR codes only
	// ever get success callbacks.
	EventQRCodePaymentFailed = "qrcode.payment.failed"
)

// QRChannelCode is the kind of QR code to issue. It is an open set: the constants are the codes
// the Philippine create page names; codes of other editions (PH_QRPH_DYNAMIC, PH_GCASH_QR,
// DUITNOW_DYNAMIC_QR, THAI_DYNAMIC_QR, QRIS_DYNAMIC_QR, ...) are sent and decoded as given.
type QRChannelCode string

// QR channel codes (Philippines, QR Ph).
const (
	// QRChannelCodeQRPHStaticQR is a static QR Ph code: no amount (the payer enters it), reusable until
	// cancelled; it only gets success callbacks.
	QRChannelCodeQRPHStaticQR QRChannelCode = "QRPH_STATIC_QR"
	// QRChannelCodeQRPHDynamicQR is a dynamic QR Ph code: a fixed amount of at least 2000 (PHP 20.00) that
	// expires after ExpireSeconds.
	QRChannelCodeQRPHDynamicQR QRChannelCode = "QRPH_DYNAMIC_QR"
	// QRChannelCodeQRPHHybridQR is a hybrid QR Ph code: like a dynamic one, a fixed amount of at least 2000
	// (PHP 20.00) and an expiry.
	QRChannelCodeQRPHHybridQR QRChannelCode = "QRPH_HYBRID_QR"
)

// qrDynamicMinAmount is the smallest amount of a dynamic or hybrid QR Ph code: PHP 20.00.
const qrDynamicMinAmount = 2000

// QRStatus is the state of a QR code. Decoding is case-insensitive, turns CANCEL into
// QRStatusCancelled and keeps any other value as it came.
type QRStatus string

// QR code states.
const (
	// QRStatusActive means the QR code accepts payments.
	QRStatusActive QRStatus = "ACTIVE"
	// QRStatusInactive means the QR code no longer accepts payments (what a cancel returns).
	QRStatusInactive QRStatus = "INACTIVE"
	// QRStatusCancelled means the QR code was cancelled (also seen spelled CANCEL).
	QRStatusCancelled QRStatus = "CANCELLED"
)

var qrStatusSpellings = map[string]string{
	"ACTIVE": "ACTIVE", "INACTIVE": "INACTIVE", "CANCELLED": "CANCELLED", "CANCEL": "CANCELLED",
}

// UnmarshalJSON decodes the status, normalising the spellings listed on QRStatus.
func (s *QRStatus) UnmarshalJSON(b []byte) error {
	v, err := decodeEnum(b, qrStatusSpellings)
	if err != nil {
		return err
	}
	*s = QRStatus(v)
	return nil
}

// Closed reports whether the QR code no longer accepts payments (INACTIVE or CANCELLED; the
// docs do not say how the two differ).
func (s QRStatus) Closed() bool {
	return s == QRStatusInactive || s == QRStatusCancelled
}

// QRCodeCreateParams asks PayCools for a QR Ph code (doc 5.1).
//
// Amount rules: a static QR (QRChannelCodeQRPHStaticQR) has no amount, the payer enters it, so Amount must be
// left 0; every other channel needs Amount > 0, and a dynamic or hybrid QR Ph code
// (QRChannelCodeQRPHDynamicQR, QRChannelCodeQRPHHybridQR) at least 2000 (PHP 20.00).
type QRCodeCreateParams struct {
	// ChannelCode is the kind of QR to issue, e.g. QRChannelCodeQRPHDynamicQR.
	ChannelCode QRChannelCode `json:"channelCode" pc:"required"`
	// MchOrderID is the merchant's unique id for this QR, per customer or bill (1–32 letters and
	// digits).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	// Amount is the fixed amount the QR collects, in minor units (PHP 500.10 is 50010). Required
	// except for QRChannelCodeQRPHStaticQR, where it must be 0; at least 2000 for dynamic and hybrid codes.
	Amount Amount `json:"amount,omitempty" pc:"range=1.."`
	// NotifyURL is where the payment callbacks (5.5) of this QR are POSTed (1–256, absolute
	// http(s) URL).
	NotifyURL string `json:"notifyUrl" pc:"required,len=1..256,url"`
	// CustomerName is the payer's name, "first middle last" (middle optional; 1–128). Required
	// when ChannelCode starts with QRPH_.
	CustomerName string `json:"customerName,omitempty" pc:"len=1..128"`
	// Email is the payer's email (1–128).
	Email string `json:"email,omitempty" pc:"len=1..128,email"`
	// Mobile is the payer's mobile number (10–11 digits). LogValue masks it. The PH dialect
	// does not send it: setting it there is a *ValidationError.
	Mobile string `json:"mobile,omitempty" pc:"len=10..11,pattern=phone" log:"mask"`
	// Remark is free text (1–256), echoed in results and callbacks.
	Remark string `json:"remark,omitempty" pc:"len=1..256"`
	// ExpireSeconds is the lifetime of a dynamic or hybrid QR in seconds (30–3600; 60–3600 when
	// ChannelCode starts with QRPH_); 0 leaves PayCools' default of 3600. Ignored for a static QR.
	ExpireSeconds int `json:"expireSeconds,omitempty" pc:"range=30..3600"`
	RequestFields
}

func (p *QRCodeCreateParams) validate(v *validation) {
	qrph := strings.HasPrefix(string(p.ChannelCode), "QRPH_")
	switch p.ChannelCode {
	case QRChannelCodeQRPHStaticQR:
		if p.Amount != 0 {
			v.add("amount", "must be left 0 for a static QR (QRPH_STATIC_QR): the payer enters the amount")
		}
	case QRChannelCodeQRPHDynamicQR, QRChannelCodeQRPHHybridQR:
		if p.Amount == 0 {
			v.addf("amount", "is required when channelCode is %s", p.ChannelCode)
		} else if p.Amount > 0 && p.Amount < qrDynamicMinAmount {
			v.addf("amount", "%d is below the minimum 2000 (PHP 20.00) of %s", int64(p.Amount), p.ChannelCode)
		}
	case "":
		// channelCode is reported missing; the amount rule depends on it.
	default:
		if p.Amount == 0 {
			v.add("amount", "is required unless channelCode is QRPH_STATIC_QR")
		}
	}
	if qrph && p.CustomerName == "" && !v.has("customerName") { // the PH row already requires it
		v.add("customerName", "is required when channelCode starts with QRPH_")
	}
	if qrph && p.ExpireSeconds != 0 && p.ExpireSeconds < 60 {
		v.addf("expireSeconds", "%d is outside 60–3600 (the bound when channelCode starts with QRPH_)", p.ExpireSeconds)
	}
}

// LogValue logs the params with the mobile number masked (MaskAccountNumber) and only the
// names of the Extra entries, so that logging params never logs the full number.
func (p QRCodeCreateParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// QRCodeGetParams names the QR code to read back (doc 5.2).
type QRCodeGetParams struct {
	// MchOrderID is the merchant's id of the QR, as given at creation (1–32 letters and digits).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	RequestFields
}

// QRCodeListPaymentsParams asks for the payments a QR code received in a date range (doc 5.3).
type QRCodeListPaymentsParams struct {
	// MchOrderID is the merchant's id of the QR whose payments are listed (1–32 letters and
	// digits).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	// StartDate is the first day of the range, "yyyy-MM-dd".
	StartDate string `json:"startDate" pc:"required,pattern=date"`
	// EndDate is the last day of the range, "yyyy-MM-dd", not before StartDate.
	EndDate string `json:"endDate" pc:"required,pattern=date"`
	RequestFields
}

func (p *QRCodeListPaymentsParams) validate(v *validation) {
	start, serr := parseQRDate(p.StartDate)
	end, eerr := parseQRDate(p.EndDate)
	if serr != nil {
		v.add("startDate", "is not a calendar date")
	}
	if eerr != nil {
		v.add("endDate", "is not a calendar date")
	}
	if serr == nil && eerr == nil && !start.IsZero() && !end.IsZero() && end.Before(start) {
		v.add("endDate", "is before startDate")
	}
}

// parseQRDate parses a "yyyy-MM-dd" date; a value that the date pattern refuses (reported by the
// tag) or an empty one gives the zero time and no error.
func parseQRDate(s string) (time.Time, error) {
	if !validationPatterns["date"].re.MatchString(s) {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02", s)
}

// QRCodeCancelParams names the QR code to cancel (doc 5.4).
type QRCodeCancelParams struct {
	// MchOrderID is the merchant's id of the QR to cancel (1–32 letters and digits).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	RequestFields
}

// QRCodeUpdateParams changes a QR code's customer name, callback URL, email or remark (doc
// 5.6). Amount, channel and expiry cannot change.
type QRCodeUpdateParams struct {
	// MchOrderID is the merchant's id of the QR to change (1–32 letters and digits).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	// CustomerName is the payer's new name, "first middle last" (1–100).
	CustomerName string `json:"customerName" pc:"required,len=1..100"`
	// CallbackURL is the new callback URL of this QR (1–256, absolute http(s) URL); when empty
	// the URL configured in the merchant dashboard applies. (The open-api QR pages call it
	// notifyUrl; this operation's page says callbackUrl.)
	CallbackURL string `json:"callbackUrl,omitempty" pc:"len=1..256,url"`
	// Email is the payer's new email (1–50).
	Email string `json:"email,omitempty" pc:"len=1..50,email"`
	// Remark is the new remark (1–256).
	Remark string `json:"remark,omitempty" pc:"len=1..256"`
	RequestFields
}

// QRCode is a QR code as PayCools reports it (answer of 5.1, 5.2, 5.4 and 5.6).
type QRCode struct {
	// MchOrderID is the merchant's id of the QR.
	MchOrderID string `json:"mchOrderId"`
	// QRCodeID is PayCools' id of the QR (also seen as qrcodeId).
	QRCodeID string `json:"qrCodeId"`
	// TransactionID is the PayCools transaction of a dynamic QR.
	TransactionID string `json:"transactionId"`
	// QRCodeContent is the EMV QR Ph payload: draw the QR image from it (also seen as
	// qrcodeContent).
	QRCodeContent string `json:"qrCodeContent"`
	// ChannelCode is the QR channel.
	ChannelCode QRChannelCode `json:"channelCode"`
	// NotifyURL is where the callbacks of this QR go (also seen as callbackUrl).
	NotifyURL string `json:"notifyUrl" alias:"callbackUrl"`
	// Remark is the QR's remark.
	Remark string `json:"remark"`
	// Status is the state of the QR (also seen as status); INACTIVE after a cancel.
	Status QRStatus `json:"qrStatus" alias:"status"`
	// TransactionStatus is the state of the QR's payment (dynamic QR).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// TransactionCreateTime is when the payment was created.
	TransactionCreateTime Time `json:"transactionCreateTime"`
	// TransactionReturnTime is when the payment completed.
	TransactionReturnTime Time `json:"transactionReturnTime"`
	// QRLink is the hosted page that shows the QR and how to pay it.
	QRLink string `json:"qrLink"`
	// CreateTime is when the QR was created.
	CreateTime Time `json:"createTime"`
	// UpdateTime is when the QR last changed.
	UpdateTime Time `json:"updateTime"`
	// ExpiresTime is when the QR stops accepting payments.
	ExpiresTime Time `json:"expiresTime"`
	// Amount is the fixed amount of a dynamic or hybrid QR, in minor units (centavos).
	Amount Amount `json:"amount"`
	// Fee is the fee, in minor units (centavos).
	Fee Amount `json:"fee"`
	// TotalAmount is Amount plus Fee, in minor units (centavos).
	TotalAmount Amount `json:"totalAmount"`
	ResultMeta
}

// QRCodePaymentList is the answer of 5.3: the payments a QR code received.
type QRCodePaymentList struct {
	// Payments holds one entry per payment received on the QR (the data array).
	Payments []QRCodePayment `json:"-" wire:"data"`
	ResultMeta
}

// QRCodePayment is one payment received on a QR code (element of 5.3).
type QRCodePayment struct {
	// TransactionID is PayCools' id of this payment.
	TransactionID string `json:"transactionId"`
	// MchOrderID is the merchant's id of the QR it was paid on.
	MchOrderID string `json:"mchOrderId"`
	// ChannelCode is the QR channel.
	ChannelCode QRChannelCode `json:"channelCode"`
	// TransactionStatus is the payment status.
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// Amount is the amount paid, in minor units (centavos); also seen as transactionAmount.
	Amount Amount `json:"amount" alias:"transactionAmount"`
	// Fee is the fee, in minor units (centavos; J&T edition).
	Fee Amount `json:"fee"`
	// TotalAmount is Amount plus Fee, in minor units (centavos; J&T edition).
	TotalAmount Amount `json:"totalAmount"`
	// TransactionCreateTime is when the payment was created.
	TransactionCreateTime Time `json:"transactionCreateTime"`
	// TransactionReturnTime is when the payment completed.
	TransactionReturnTime Time `json:"transactionReturnTime"`
	// Remark is the remark (may be empty).
	Remark string `json:"remark"`
	ResultMeta
}

// QRCodePaymentNotification is the event of the QR code payment callbacks
// (EventQRCodePaymentSuccess, EventQRCodePaymentFailed; doc 5.5). A static QR is paid many times,
// so several callbacks share one MchOrderID: deduplicate on TransactionID + TransactionStatus.
type QRCodePaymentNotification struct {
	// EventName is EventQRCodePaymentSuccess or EventQRCodePaymentFailed.
	EventName string `json:"eventName"`
	// MchOrderID is the merchant's id of the QR that was paid (missing in some editions).
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is PayCools' id of this payment.
	TransactionID string `json:"transactionId"`
	// Amount is the amount paid, in minor units (centavos).
	Amount Amount `json:"amount"`
	// Fee is the fee, in minor units (centavos; J&T editions, optional).
	Fee Amount `json:"fee"`
	// TotalAmount is Amount plus Fee, in minor units (centavos; J&T edition, optional).
	TotalAmount Amount `json:"totalAmount"`
	// TransactionStatus is the payment status; decide on it.
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// CreateTime is when the payment was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the payment completed.
	ReturnTime Time `json:"returnTime"`
	// ChannelCode is the QR channel.
	ChannelCode QRChannelCode `json:"channelCode"`
	// Remark is the remark of the QR (optional).
	Remark string `json:"remark"`
	// FailedCode is the failure code of a failed payment (see the FailedCode constants).
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure reason of a failed payment.
	FailedMessage string `json:"failedMessage"`
	ResultMeta
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *QRCodePaymentNotification) eventName() string { return e.EventName }

// Create asks PayCools for a QR Ph code (doc 5.1). Show QRCodeContent as a QR image, or send
// the payer to QRLink. A duplicate MchOrderID is refused with ErrDuplicateOrder: read the
// existing QR with Get.
func (s *QRCodeService) Create(ctx context.Context, p *QRCodeCreateParams) (*QRCode, error) {
	return do[QRCode](ctx, s.c, OpQRCodeCreate, p)
}

// Get reads a QR code back by its merchant order id (doc 5.2).
func (s *QRCodeService) Get(ctx context.Context, p *QRCodeGetParams) (*QRCode, error) {
	return do[QRCode](ctx, s.c, OpQRCodeGet, p)
}

// ListPayments lists the payments a QR code received between two dates (doc 5.3).
func (s *QRCodeService) ListPayments(ctx context.Context, p *QRCodeListPaymentsParams) (*QRCodePaymentList, error) {
	return do[QRCodePaymentList](ctx, s.c, OpQRCodeListPayments, p)
}

// Cancel cancels a QR code so that it accepts no more payments (doc 5.4); the answer's
// Status is then INACTIVE.
func (s *QRCodeService) Cancel(ctx context.Context, p *QRCodeCancelParams) (*QRCode, error) {
	return do[QRCode](ctx, s.c, OpQRCodeCancel, p)
}

// Update changes a QR code's customer name, callback URL, email or remark (doc 5.6).
func (s *QRCodeService) Update(ctx context.Context, p *QRCodeUpdateParams) (*QRCode, error) {
	return do[QRCode](ctx, s.c, OpQRCodeUpdate, p)
}

func init() {
	registerEvent[QRCodePaymentNotification](EventQRCodePaymentSuccess, EventQRCodePaymentFailed)
}
