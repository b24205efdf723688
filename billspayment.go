package paycools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"
)

// Bills payment: static virtual accounts (doc section 4, docs/families.md). A static virtual
// account (VA, also "payment code") lets a payer pay the merchant repeatedly through a
// bills-payment channel (GCash or Maya "Bills", 7-Eleven, pawnshops): the payer enters a
// reference number under a biller name. MchOrderID identifies a payer or bill, not a single
// payment; each payment into the VA gets its own transactionId.

// Event names of the bills-payment family (doc 4.6 and 4.8).
const (
	// EventPaymentVerification is the eventName of the repayment verification question (doc
	// 4.6), answered only by Client.RepaymentVerificationHandler.
	EventPaymentVerification = "payment.verification"
	// EventPaymentSuccess is the eventName of a completed payment into a static virtual
	// account (doc 4.8); its Event is a *VirtualAccountPaymentNotification.
	EventPaymentSuccess = "payment.success"
	// EventPaymentFailed is the eventName of a failed payment into a static virtual account
	// (doc 4.8; listed by the open-api edition, the PH FAQ says static products send only
	// successes); its Event is a *VirtualAccountPaymentNotification.
	EventPaymentFailed = "payment.failed"
)

// BillsPaymentChannelCode is a static virtual account channel (an open set: unknown values are
// kept).
type BillsPaymentChannelCode string

// Bills-payment channels seen in the PayCools examples. The list is not complete: PayCools'
// channel list page could not be read, so any other code may be used as a
// BillsPaymentChannelCode("...").
const (
	// BillsPaymentChannelCodeGCashStaticVA is GCash Bills.
	BillsPaymentChannelCodeGCashStaticVA BillsPaymentChannelCode = "GCASH_STATIC_VA"
	// BillsPaymentChannelCodePayMayaStaticVA is Maya (PayMaya) Bills.
	BillsPaymentChannelCodePayMayaStaticVA BillsPaymentChannelCode = "PAYMAYA_STATIC_VA"
	// BillsPaymentChannelCode7ElevenStaticVA is 7-Eleven over the counter.
	BillsPaymentChannelCode7ElevenStaticVA BillsPaymentChannelCode = "7ELEVEN_STATIC_VA"
	// BillsPaymentChannelCodeRDPStaticVA is RD Pawnshop over the counter.
	BillsPaymentChannelCodeRDPStaticVA BillsPaymentChannelCode = "RDP_STATIC_VA"
	// BillsPaymentChannelCodeMLHStaticVA is M Lhuillier over the counter.
	BillsPaymentChannelCodeMLHStaticVA BillsPaymentChannelCode = "MLH_STATIC_VA"
	// BillsPaymentChannelCodeCebuanaVA is Cebuana Lhuillier (seen on the J&T variant only).
	BillsPaymentChannelCodeCebuanaVA BillsPaymentChannelCode = "CEBUANA_VA"
)

// BillsPaymentChannelCodeList is a set of bills-payment channels (doc 4.2 and 4.3). On the wire
// it is one comma-joined JSON string without spaces, "GCASH_STATIC_VA,PAYMAYA_STATIC_VA"; it
// decodes from that string or from a JSON array of codes.
type BillsPaymentChannelCodeList []BillsPaymentChannelCode

// String returns the codes joined by commas, as they are sent.
func (l BillsPaymentChannelCodeList) String() string {
	parts := make([]string, len(l))
	for i, c := range l {
		parts[i] = string(c)
	}
	return strings.Join(parts, ",")
}

// MarshalJSON writes the list as one comma-joined JSON string.
func (l BillsPaymentChannelCodeList) MarshalJSON() ([]byte, error) {
	return json.Marshal(l.String())
}

// UnmarshalJSON reads a comma-joined JSON string ("A,B", spaces around codes ignored), a JSON
// array of codes, or null / "" (an empty list).
func (l *BillsPaymentChannelCodeList) UnmarshalJSON(b []byte) error {
	parts, err := vaDecodeCodeList(b)
	if err != nil {
		return err
	}
	var out BillsPaymentChannelCodeList
	for _, p := range parts {
		out = append(out, BillsPaymentChannelCode(p))
	}
	*l = out
	return nil
}

// validateCodes reports an empty code or a code holding a comma or a space: each element must
// be one code, because the list is sent comma-joined.
func (l BillsPaymentChannelCodeList) validateCodes(v *validation, field string) {
	for i, c := range l {
		switch {
		case strings.TrimSpace(string(c)) == "":
			v.addf(field, "code %d is empty", i)
		case strings.ContainsAny(string(c), ", \t"):
			v.addf(field, "code %d must be one channel code, without commas or spaces (the list is joined by the SDK)", i)
		}
	}
}

// vaDecodeCodeList reads a comma-joined JSON string, a JSON array of strings, or null / "".
func vaDecodeCodeList(b []byte) ([]string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var raw []string
	if b[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			s, err := decodeString(it)
			if err != nil {
				return nil, errors.New("paycools: channel code list: an element is not a string")
			}
			raw = append(raw, s)
		}
	} else {
		s, err := decodeString(b)
		if err != nil {
			return nil, errors.New("paycools: channel code list is neither a string nor an array")
		}
		raw = strings.Split(s, ",")
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// VirtualAccountStatus says whether a static virtual account accepts payments. Decoding is
// case-insensitive; unknown values are kept.
type VirtualAccountStatus string

// Virtual account states.
const (
	// VirtualAccountStatusActive is a VA that accepts payments.
	VirtualAccountStatusActive VirtualAccountStatus = "ACTIVE"
	// VirtualAccountStatusInactive is a VA that no longer accepts payments (cancelled or expired).
	VirtualAccountStatusInactive VirtualAccountStatus = "INACTIVE"
)

var virtualAccountStatusSpellings = map[string]string{"ACTIVE": "ACTIVE", "INACTIVE": "INACTIVE"}

// UnmarshalJSON decodes the status case-insensitively, keeping unknown values.
func (s *VirtualAccountStatus) UnmarshalJSON(b []byte) error {
	v, err := decodeEnum(b, virtualAccountStatusSpellings)
	if err != nil {
		return err
	}
	*s = VirtualAccountStatus(v)
	return nil
}

// VirtualAccountChannelType says what VirtualAccount.PayData holds (open-api edition).
// Decoding is case-insensitive; unknown values are kept.
type VirtualAccountChannelType string

// Kinds of payment data.
const (
	// VirtualAccountChannelTypeURL means PayData is a URL of a payment page.
	VirtualAccountChannelTypeURL VirtualAccountChannelType = "URL"
	// VirtualAccountChannelTypeVA means PayData is a virtual account or reference number.
	VirtualAccountChannelTypeVA VirtualAccountChannelType = "VA"
	// VirtualAccountChannelTypeQR means PayData is QR code content.
	VirtualAccountChannelTypeQR VirtualAccountChannelType = "QR"
)

var virtualAccountChannelTypeSpellings = map[string]string{"URL": "URL", "VA": "VA", "QR": "QR"}

// UnmarshalJSON decodes the channel type case-insensitively, keeping unknown values.
func (t *VirtualAccountChannelType) UnmarshalJSON(b []byte) error {
	v, err := decodeEnum(b, virtualAccountChannelTypeSpellings)
	if err != nil {
		return err
	}
	*t = VirtualAccountChannelType(v)
	return nil
}

// VirtualAccount is one static virtual account: the result of 4.1 and an element of the lists
// of 4.2, 4.3, 4.4 and 4.7. The PH (/api/v1) and open-api editions return different fields, so
// it carries both sets; absent fields stay zero.
type VirtualAccount struct {
	// MchOrderID is the merchant's id for the payer or bill (≤ 32 characters).
	MchOrderID string `json:"mchOrderId"`
	// ChannelCode is the channel of this VA.
	ChannelCode BillsPaymentChannelCode `json:"channelCode"`
	// ReferenceNumber is the code the payer enters to pay, e.g. "PC0000710000024" (PH).
	ReferenceNumber string `json:"referenceNumber"`
	// Biller is the biller name the payer picks in the wallet or store, e.g. "PAYCOOLS LOAN"
	// (PH).
	Biller string `json:"biller"`
	// GuideURL is the payment-instructions page for this channel (PH).
	GuideURL string `json:"guideUrl"`
	// PayData is the payment data: a VA or reference number, QR content or a URL, as
	// ChannelType says (open-api).
	PayData string `json:"payData"`
	// ChannelType says what PayData holds: URL, VA or QR (open-api).
	ChannelType VirtualAccountChannelType `json:"channelType"`
	// Status says whether the VA accepts payments: ACTIVE or INACTIVE (open-api; PH 4.7).
	Status VirtualAccountStatus `json:"status"`
	// CreateTime is when the VA was created (open-api).
	CreateTime Time `json:"createTime"`
	// ExpiresTime is when the VA expires; the zero time means no expiry (open-api 4.7).
	ExpiresTime Time `json:"expiresTime"`
	ResultMeta
}

// VirtualAccountCreateParams creates a static virtual account on one channel (doc 4.1).
type VirtualAccountCreateParams struct {
	// MchOrderID is the merchant's id for the payer or bill (1–32 characters). One VA per
	// channel may exist for it.
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32"`
	// CustomerName is the payer's name, "first middle last" (1–128 characters).
	CustomerName string `json:"customerName" pc:"required,len=1..128"`
	// ChannelCode is the one channel for this VA, e.g. BillsPaymentChannelCodeGCashStaticVA.
	ChannelCode BillsPaymentChannelCode `json:"channelCode" pc:"required"`
	// NotifyURL is where PayCools sends the 4.8 callbacks for this VA (1–256 characters,
	// absolute http(s) URL).
	NotifyURL string `json:"notifyUrl" pc:"required,len=1..256,url"`
	// Email is the payer's email address (1–128 characters).
	Email string `json:"email" pc:"required,len=1..128,email"`
	// Mobile is the payer's mobile number, 11–14 digits starting with 09. LogValue masks it.
	Mobile string `json:"mobile" pc:"required,len=11..14,pattern=mobile09" log:"mask"`
	// Remark is a note for this VA (1–256 characters when set).
	Remark string `json:"remark,omitempty" pc:"len=1..256"`
	RequestFields
}

func (p *VirtualAccountCreateParams) validate(v *validation) {
	vaValidateOneChannelCode(v, "channelCode", string(p.ChannelCode))
}

// LogValue logs the params with the mobile number masked (MaskAccountNumber) and only the
// names of the Extra entries.
func (p VirtualAccountCreateParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// CreateVirtualAccount creates a static virtual account for one payer or bill on one channel
// (doc 4.1). A VA that already exists for this MchOrderID and channel is refused (PH 1017,
// ErrLegacyVirtualAccountExists).
func (s *BillsPaymentService) CreateVirtualAccount(ctx context.Context, p *VirtualAccountCreateParams) (*VirtualAccount, error) {
	return do[VirtualAccount](ctx, s.c, OpBillsPaymentCreateVirtualAccount, p)
}

// VirtualAccountBatchCreateParams creates static virtual accounts on several channels for one
// payer or bill (doc 4.2).
type VirtualAccountBatchCreateParams struct {
	// AppName is the merchant application name as registered with PayCools (1–100 characters,
	// letters and spaces).
	AppName string `json:"appName" pc:"required,len=1..100,pattern=lettersSpaces"`
	// MchOrderID is the merchant's id for the payer or bill (1–32 characters, letters and
	// digits).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	// ChannelCode lists the channels to open, one VA each (at least one; sent as one
	// comma-joined string).
	ChannelCode BillsPaymentChannelCodeList `json:"channelCode" pc:"required"`
	// CustomerName is the payer's name, "first middle last" (1–100 characters).
	CustomerName string `json:"customerName" pc:"required,len=1..100"`
	// Email is the payer's email address (1–50 characters).
	Email string `json:"email" pc:"required,len=1..50,email"`
	// MinAmount is the smallest payment accepted, in minor units (centavos, PHP 200.00 is
	// 20000); > 0 and ≤ MaxAmount when both are set. 0 means no minimum.
	MinAmount Amount `json:"minAmount,omitempty" pc:"range=1.."`
	// MaxAmount is the largest payment accepted, in minor units (centavos); > 0. 0 means no
	// maximum.
	MaxAmount Amount `json:"maxAmount,omitempty" pc:"range=1.."`
	// Mobile is the payer's mobile number (11–14 characters). LogValue masks it.
	Mobile string `json:"mobile,omitempty" pc:"len=11..14,pattern=phone" log:"mask"`
	// ExpireTime is the last day the VAs accept payments, yyyy-MM-dd; empty means they never
	// expire.
	ExpireTime string `json:"expireTime,omitempty" pc:"pattern=date"`
	// Description is a note for these VAs.
	Description string `json:"description,omitempty"`
	RequestFields
}

func (p *VirtualAccountBatchCreateParams) validate(v *validation) {
	p.ChannelCode.validateCodes(v, "channelCode")
	vaValidateMinMax(v, p.MinAmount, p.MaxAmount)
	vaValidateCalendarDate(v, "expireTime", p.ExpireTime)
}

// LogValue logs the params with the mobile number masked (MaskAccountNumber) and only the
// names of the Extra entries.
func (p VirtualAccountBatchCreateParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// VirtualAccountBatch is the answer of 4.2 and 4.3: a cashier short link covering every
// channel of the VA group, and one VA per channel.
type VirtualAccountBatch struct {
	// ShortLink is the cashier page covering every channel of this MchOrderID (URL, ≤ 100
	// characters), e.g. "https://a.api-dev.paycools.com/1L9zObb".
	ShortLink string `json:"shortLink"`
	// PaymentVaList holds one VA per channel (mchOrderId, channelCode, guideUrl,
	// referenceNumber, biller).
	PaymentVaList []VirtualAccount `json:"paymentVaList"`
	ResultMeta
}

// BatchCreateVirtualAccounts creates static virtual accounts on several channels for one payer
// or bill, and returns the cashier short link covering them (doc 4.2).
func (s *BillsPaymentService) BatchCreateVirtualAccounts(ctx context.Context, p *VirtualAccountBatchCreateParams) (*VirtualAccountBatch, error) {
	return do[VirtualAccountBatch](ctx, s.c, OpBillsPaymentBatchCreateVirtualAccounts, p)
}

// VirtualAccountUpdateParams changes the channel set of a VA group (doc 4.3).
type VirtualAccountUpdateParams struct {
	// MchOrderID is the VA group to change (1–32 characters). It fills {mchOrderId} in the
	// path and is also sent in param.
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32"`
	// ChannelCode lists the channels the VA group should have (at least one; sent as one
	// comma-joined string). PayCools does not say whether it replaces or extends the set.
	ChannelCode BillsPaymentChannelCodeList `json:"channelCode" pc:"required"`
	RequestFields
}

func (p *VirtualAccountUpdateParams) validate(v *validation) {
	p.ChannelCode.validateCodes(v, "channelCode")
}

// UpdateVirtualAccount changes the channels of a VA group and returns its VAs and cashier
// short link (doc 4.3).
func (s *BillsPaymentService) UpdateVirtualAccount(ctx context.Context, p *VirtualAccountUpdateParams) (*VirtualAccountBatch, error) {
	return do[VirtualAccountBatch](ctx, s.c, OpBillsPaymentUpdateVirtualAccount, p)
}

// VirtualAccountCashierURLParams asks for the cashier short link of a VA group (doc 4.4).
type VirtualAccountCashierURLParams struct {
	// MchOrderID is the VA group whose cashier link is wanted (1–32 characters).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32"`
	RequestFields
}

// CashierURL is the answer of 4.4: the cashier page of a VA group.
type CashierURL struct {
	// ShortLink is the cashier page for all channels of the VA group (URL).
	ShortLink string `json:"shortLink"`
	// PaymentVaList holds the per-channel VAs, when PayCools includes them.
	PaymentVaList []VirtualAccount `json:"paymentVaList"`
	ResultMeta
}

// CashierURL fetches the cashier short link of a VA group (doc 4.4). The path of this
// operation is unconfirmed (no edition's page body was found); set it with WithEndpoint if
// your tenant's differs.
func (s *BillsPaymentService) CashierURL(ctx context.Context, p *VirtualAccountCashierURLParams) (*CashierURL, error) {
	return do[CashierURL](ctx, s.c, OpBillsPaymentCashierURL, p)
}

// VirtualAccountListPaymentsParams lists the payments made into a VA group over a date range (doc
// 4.5).
type VirtualAccountListPaymentsParams struct {
	// MchOrderID is the VA group to list (1–32 characters).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32"`
	// StartDate is the first day of the range, inclusive, yyyy-MM-dd.
	StartDate string `json:"startDate" pc:"required,pattern=date"`
	// EndDate is the last day of the range, yyyy-MM-dd, not before StartDate.
	EndDate string `json:"endDate" pc:"required,pattern=date"`
	RequestFields
}

func (p *VirtualAccountListPaymentsParams) validate(v *validation) {
	vaValidateDateRange(v, p.StartDate, p.EndDate)
}

// VirtualAccountPayment is one payment made into a static virtual account (doc 4.5).
type VirtualAccountPayment struct {
	// TransactionID is the PayCools collection id, e.g. "C1630761265167208448".
	TransactionID string `json:"transactionId"`
	// MchOrderID is the VA group paid into.
	MchOrderID string `json:"mchOrderId"`
	// ChannelCode is the channel paid through.
	ChannelCode BillsPaymentChannelCode `json:"channelCode"`
	// ReferenceNumber is the reference the payer used.
	ReferenceNumber string `json:"referenceNumber"`
	// TransactionAmount is the amount paid, in minor units (centavos, PHP 500.10 is 50010).
	TransactionAmount Amount `json:"transactionAmount"`
	// TransactionStatus is the payment's state (COMPLETE decodes to TransactionStatusCompleted).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// TransactionCreateTime is when the payment was created.
	TransactionCreateTime Time `json:"transactionCreateTime"`
	// TransactionReturnTime is when the payment completed.
	TransactionReturnTime Time `json:"transactionReturnTime"`
	// Remark is the remark; may be empty.
	Remark string `json:"remark"`
	ResultMeta
}

// VirtualAccountPaymentList is the answer of 4.5. PayCools sends data as a JSON array; it is
// decoded into Payments and Raw keeps the array.
type VirtualAccountPaymentList struct {
	// Payments holds the payments made into the VA group in the date range.
	Payments []VirtualAccountPayment `json:"-" wire:"data"`
	ResultMeta
}

// ListPayments lists the payments made into a VA group between two days (doc 4.5).
func (s *BillsPaymentService) ListPayments(ctx context.Context, p *VirtualAccountListPaymentsParams) (*VirtualAccountPaymentList, error) {
	return do[VirtualAccountPaymentList](ctx, s.c, OpBillsPaymentListPayments, p)
}

// VirtualAccountCancelParams cancels the VA of one channel of a VA group (doc 4.7).
type VirtualAccountCancelParams struct {
	// MchOrderID is the VA group (1–32 characters).
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32"`
	// ChannelCode is the one channel whose VA is cancelled (the PH edition has no such field).
	ChannelCode BillsPaymentChannelCode `json:"channelCode" pc:"required"`
	RequestFields
}

func (p *VirtualAccountCancelParams) validate(v *validation) {
	vaValidateOneChannelCode(v, "channelCode", string(p.ChannelCode))
}

// VirtualAccountCancellation is the answer of 4.7. The open-api edition describes the
// cancelled VA in the top-level fields; the PH edition lists every channel's VA in
// PaymentVaList.
type VirtualAccountCancellation struct {
	// MchOrderID is the VA group (open-api).
	MchOrderID string `json:"mchOrderId"`
	// ChannelCode is the channel of the cancelled VA (open-api).
	ChannelCode BillsPaymentChannelCode `json:"channelCode"`
	// PayData is the payment data of the cancelled VA (open-api).
	PayData string `json:"payData"`
	// Status is the VA's state, INACTIVE after cancel (open-api).
	Status VirtualAccountStatus `json:"status"`
	// CreateTime is when the VA was created (open-api).
	CreateTime Time `json:"createTime"`
	// ExpiresTime is when the VA expires (open-api).
	ExpiresTime Time `json:"expiresTime"`
	// PaymentVaList holds every channel's VA, each with status INACTIVE (PH).
	PaymentVaList []VirtualAccount `json:"paymentVaList"`
	ResultMeta
}

// CancelVirtualAccount cancels the VA of one channel of a VA group (doc 4.7); it then accepts
// no more payments.
func (s *BillsPaymentService) CancelVirtualAccount(ctx context.Context, p *VirtualAccountCancelParams) (*VirtualAccountCancellation, error) {
	return do[VirtualAccountCancellation](ctx, s.c, OpBillsPaymentCancelVirtualAccount, p)
}

// VirtualAccountPaymentNotification is the callback of a payment into a static virtual account (doc
// 4.8), for EventPaymentSuccess and EventPaymentFailed. Deliveries repeat: deduplicate on
// TransactionID and EventName.
type VirtualAccountPaymentNotification struct {
	// EventName is EventPaymentSuccess or EventPaymentFailed.
	EventName string `json:"eventName"`
	// MchOrderID is the VA group paid into.
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is the PayCools collection id, one per payment, e.g.
	// "C1633669279100571648".
	TransactionID string `json:"transactionId"`
	// ReferenceNumber is the reference the payer used (optional).
	ReferenceNumber string `json:"referenceNumber"`
	// ChannelCode is the channel paid through.
	ChannelCode BillsPaymentChannelCode `json:"channelCode"`
	// Amount is the amount paid, in minor units (centavos, PHP 500.10 is 50010).
	Amount Amount `json:"amount"`
	// TransactionStatus is the payment's state: COMPLETED or FAILED (PH COMPLETE decodes to
	// TransactionStatusCompleted).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// CreateTime is when the payment was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the payment completed.
	ReturnTime Time `json:"returnTime"`
	// Remark is the remark of the VA; may be empty.
	Remark string `json:"remark"`
	ResultMeta
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *VirtualAccountPaymentNotification) eventName() string { return e.EventName }

func init() {
	registerEvent[RepaymentVerification](EventPaymentVerification)
	registerEvent[VirtualAccountPaymentNotification](EventPaymentSuccess, EventPaymentFailed)
}

// vaValidateOneChannelCode refuses a comma or whitespace in a field that takes exactly one
// channel code.
func vaValidateOneChannelCode(v *validation, field, code string) {
	if strings.ContainsAny(code, ", \t") {
		v.add(field, "must be one channel code, without commas or spaces")
	}
}

// vaValidateMinMax checks minAmount ≤ maxAmount when both are set.
func vaValidateMinMax(v *validation, minAmount, maxAmount Amount) {
	if minAmount > 0 && maxAmount > 0 && minAmount > maxAmount {
		v.add("minAmount", "must not be greater than maxAmount")
	}
}

// vaValidateCalendarDate refuses a yyyy-MM-dd text that is not a real day (2024-02-30). The
// format itself is checked by the pattern=date tag.
func vaValidateCalendarDate(v *validation, field, s string) {
	if s == "" || !validationPatterns["date"].re.MatchString(s) {
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		v.add(field, "is not a calendar date")
	}
}

// vaValidateDateRange checks that startDate and endDate are real days and endDate is not before
// startDate.
func vaValidateDateRange(v *validation, start, end string) {
	vaValidateCalendarDate(v, "startDate", start)
	vaValidateCalendarDate(v, "endDate", end)
	s, err1 := time.Parse(time.DateOnly, start)
	e, err2 := time.Parse(time.DateOnly, end)
	if err1 == nil && err2 == nil && e.Before(s) {
		v.add("endDate", "must not be before startDate")
	}
}
