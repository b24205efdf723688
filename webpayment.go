package paycools

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
)

// Web payments (doc section 7, docs/families.md): one payment on one channel, e.g. GCash. Create
// returns where to send the customer (PayData or RedirectURL, see WebPayment.PaymentURL); the
// result arrives at NotifyURL as an h5.payment.* event and can be read with Get or Wait.

// Web payment callback events (doc 7.4); both decode to *WebPaymentNotification.
const (
	// EventH5PaymentSuccess is the eventName of a completed web payment.
	EventH5PaymentSuccess = "h5.payment.success"
	// EventH5PaymentFailed is the eventName of a failed web payment.
	EventH5PaymentFailed = "h5.payment.failed"
)

// OSTypeOther is a payer operating system other than iOS and Android; web payment create (7.1)
// accepts it.
const OSTypeOther OSType = "OTHER"

// WebPaymentChannelType is the kind of channel a web payment uses. Unknown values (e.g. URL or
// VA, which the white-label create returns) are kept as they are.
type WebPaymentChannelType string

// Web payment channel types.
const (
	// WebPaymentChannelTypeQR is a QR code channel; PayData holds the QR content.
	WebPaymentChannelTypeQR WebPaymentChannelType = "QR"
	// WebPaymentChannelTypeOnlineBanking is an online banking channel; needs a RedirectURL.
	WebPaymentChannelTypeOnlineBanking WebPaymentChannelType = "ONLINE_BANKING"
	// WebPaymentChannelTypeEWallet is an e-wallet channel such as GCash; needs a RedirectURL.
	WebPaymentChannelTypeEWallet WebPaymentChannelType = "EWALLET"
	// WebPaymentChannelTypeBankTransfer is a bank transfer channel; PayData holds the account.
	WebPaymentChannelTypeBankTransfer WebPaymentChannelType = "BANK_TRANSFER"
	// WebPaymentChannelTypeCard is a card channel; needs a RedirectURL.
	WebPaymentChannelTypeCard WebPaymentChannelType = "CARD"
	// WebPaymentChannelTypeDirectDebit is a direct debit from an authorised wallet; needs a
	// PayToken.
	WebPaymentChannelTypeDirectDebit WebPaymentChannelType = "DIRECT_DEBIT"
	// WebPaymentChannelTypePayLater is a buy-now-pay-later channel; needs a RedirectURL and
	// goodsDetails in Extra.
	WebPaymentChannelTypePayLater WebPaymentChannelType = "PAYLATER"
)

// WebPaymentChannelCode is the channel a web payment is made with. The set is per merchant
// (ask WebPayments.Channels); unknown values are kept.
type WebPaymentChannelCode string

// Web payment channel codes seen in the documentation.
const (
	// WebPaymentChannelCodeGCashURL is GCash by payment link (channel type EWALLET).
	WebPaymentChannelCodeGCashURL WebPaymentChannelCode = "PH_GCASH_URL"
	// WebPaymentChannelCodeGCashQR is GCash by QR code (channel type QR).
	WebPaymentChannelCodeGCashQR WebPaymentChannelCode = "PH_GCASH_QR"
	// WebPaymentChannelCodeQRPHDynamic is a dynamic QR Ph code (channel type QR).
	WebPaymentChannelCodeQRPHDynamic WebPaymentChannelCode = "PH_QRPH_DYNAMIC"
)

// webPaymentMinPHP and webPaymentMaxPHP bound a PHP web payment: PHP 1.00 to 50,000.00.
const (
	webPaymentMinPHP = 100
	webPaymentMaxPHP = 5000000
)

// WebPaymentCreateParams creates one web payment (doc 7.1).
//
// Not modelled: goodsDetails (required when ChannelType is PAYLATER; its sub-fields are not
// documented) and wechatpay. Send them through Extra; validation checks that
// Extra["goodsDetails"] is set for PAYLATER.
type WebPaymentCreateParams struct {
	// MchOrderID is the merchant's unique order id (1–32 letters and digits). It is the key
	// under which an unknown outcome is resolved.
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32,pattern=alnum"`
	// Amount is the amount to collect in minor units (PHP 500.10 is 50010; IDR whole rupiah).
	// It must be positive; in PHP it must be 100–5,000,000 (PHP 1.00–50,000.00).
	Amount Amount `json:"amount" pc:"required,range=1.."`
	// CountryCode is the country of the payment (PH, ID, MY, TH, RU).
	CountryCode CountryCode `json:"countryCode" pc:"required,enum=PH|ID|MY|TH|RU"`
	// Currency is the currency of Amount (PHP, IDR, MYR, THB, RUB): the one of CountryCode
	// (PH/PHP, ID/IDR, MY/MYR, TH/THB, RU/RUB); another pair is refused before sending.
	Currency Currency `json:"currency" pc:"required,enum=PHP|IDR|MYR|THB|RUB"`
	// ChannelType is the kind of channel (QR, ONLINE_BANKING, EWALLET, BANK_TRANSFER, CARD,
	// DIRECT_DEBIT, PAYLATER).
	ChannelType WebPaymentChannelType `json:"channelType" pc:"required,enum=QR|ONLINE_BANKING|EWALLET|BANK_TRANSFER|CARD|DIRECT_DEBIT|PAYLATER"`
	// ChannelCode is the channel to pay with, e.g. WebPaymentChannelCodeGCashURL.
	ChannelCode WebPaymentChannelCode `json:"channelCode" pc:"required"`
	// PayToken is the authorised direct-debit token (from the DirectDebit authorization
	// events); required when ChannelType is DIRECT_DEBIT.
	PayToken string `json:"payToken,omitempty" log:"mask"`
	// CustomerName is the payer's name (1–128); required unless ChannelType is DIRECT_DEBIT.
	CustomerName string `json:"customerName,omitempty" pc:"len=1..128"`
	// Email is the payer's e-mail (1–128; if unknown, the merchant's own); required unless
	// ChannelType is DIRECT_DEBIT.
	Email string `json:"email,omitempty" pc:"len=1..128,email"`
	// Mobile is the payer's mobile number (10–14 characters; if unknown, the merchant's own);
	// required unless ChannelType is DIRECT_DEBIT.
	Mobile string `json:"mobile,omitempty" pc:"len=10..14,pattern=phone" log:"mask"`
	// TerminalType is the device the payer uses (WEB, WAP, APP); required unless ChannelType
	// is DIRECT_DEBIT.
	TerminalType TerminalType `json:"terminalType,omitempty" pc:"enum=WEB|WAP|APP"`
	// OsType is the payer's operating system (IOS, ANDROID, OTHER); optional.
	OsType OSType `json:"osType,omitempty" pc:"enum=IOS|ANDROID|OTHER"`
	// NotifyURL is where the result callback (7.4) is POSTed (1–256, absolute http(s) URL).
	NotifyURL string `json:"notifyUrl" pc:"required,len=1..256,url"`
	// RedirectURL is where the payer's browser returns after paying (1–512, absolute http(s)
	// URL); required when ChannelType is ONLINE_BANKING, EWALLET, CARD or PAYLATER.
	RedirectURL string `json:"redirectUrl,omitempty" pc:"len=1..512,url"`
	// Remark is free text (1–256).
	Remark string `json:"remark,omitempty" pc:"len=1..256"`
	RequestFields
}

func (p *WebPaymentCreateParams) validate(v *validation) {
	checkCountryCurrency(v, p.CountryCode, "currency", p.Currency)
	if p.Currency == CurrencyPHP && p.Amount > 0 && (p.Amount < webPaymentMinPHP || p.Amount > webPaymentMaxPHP) {
		v.add("amount", "is outside 100–5000000 (PHP 1.00–50,000.00) for currency PHP")
	}
	if p.ChannelType == WebPaymentChannelTypeDirectDebit {
		if p.PayToken == "" {
			v.add("payToken", "is required when channelType is DIRECT_DEBIT")
		}
	} else {
		if p.CustomerName == "" {
			v.add("customerName", "is required unless channelType is DIRECT_DEBIT")
		}
		if p.Email == "" {
			v.add("email", "is required unless channelType is DIRECT_DEBIT")
		}
		if p.Mobile == "" {
			v.add("mobile", "is required unless channelType is DIRECT_DEBIT")
		}
		if p.TerminalType == "" {
			v.add("terminalType", "is required unless channelType is DIRECT_DEBIT")
		}
	}
	switch p.ChannelType {
	case WebPaymentChannelTypeOnlineBanking, WebPaymentChannelTypeEWallet, WebPaymentChannelTypeCard, WebPaymentChannelTypePayLater:
		if p.RedirectURL == "" {
			v.add("redirectUrl", "is required when channelType is ONLINE_BANKING, EWALLET, CARD or PAYLATER")
		}
	}
	if p.ChannelType == WebPaymentChannelTypePayLater && isEmptyValue(p.Extra["goodsDetails"]) {
		v.add("goodsDetails", "is required in Extra when channelType is PAYLATER")
	}
}

// isEmptyValue reports whether an Extra value is absent: nil, or an empty string, slice or map.
func isEmptyValue(x any) bool {
	if x == nil {
		return true
	}
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// LogValue logs the params with the mobile number and the pay token masked to their last four
// characters, and without Extra (whose contents the SDK does not know), so that logging params
// never logs either in full.
func (p WebPaymentCreateParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// WebPaymentGetParams reads one web payment (doc 7.2) by MchOrderID or TransactionID (send
// both when known).
type WebPaymentGetParams struct {
	// MchOrderID is the merchant's order id (1–32); one of MchOrderID and TransactionID is
	// required.
	MchOrderID string `json:"mchOrderId,omitempty" pc:"len=1..32"`
	// TransactionID is PayCools' transaction id (1–32); one of MchOrderID and TransactionID is
	// required.
	TransactionID string `json:"transactionId,omitempty" pc:"len=1..32"`
	// CountryCode is the country of the payment (PH, ID, MY, TH, RU).
	CountryCode CountryCode `json:"countryCode" pc:"required,enum=PH|ID|MY|TH|RU"`
	RequestFields
}

func (p *WebPaymentGetParams) validate(v *validation) {
	v.requireOneOf("mchOrderId", p.MchOrderID, "transactionId", p.TransactionID)
}

// WebPaymentChannelsParams lists the web payment channels open to the merchant in a country
// (doc 7.3).
type WebPaymentChannelsParams struct {
	// CountryCode is the country whose channels are listed (PH, ID, MY, TH, RU).
	CountryCode CountryCode `json:"countryCode" pc:"required,enum=PH|ID|MY|TH|RU"`
	RequestFields
}

// WebPayment is a web payment as created (7.1) or read (7.2). At creation TransactionStatus is
// PENDING; send the customer to PaymentURL(), which is valid for 1 hour.
type WebPayment struct {
	// MchOrderID is the merchant's order id.
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is PayCools' transaction id.
	TransactionID string `json:"transactionId"`
	// TransactionStatus is the payment status: PENDING, then COMPLETED or FAILED (final).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// CountryCode is the country of the payment.
	CountryCode CountryCode `json:"countryCode"`
	// Currency is the currency of Amount.
	Currency Currency `json:"currency"`
	// ChannelType is the kind of channel, i.e. of PayData (the white-label create also
	// returns URL, VA or QR here).
	ChannelType WebPaymentChannelType `json:"channelType"`
	// ChannelCode is the channel of the payment.
	ChannelCode WebPaymentChannelCode `json:"channelCode"`
	// Amount is the amount in minor units (PHP 500.10 is 50010).
	Amount Amount `json:"amount"`
	// PayData is what the customer needs to pay (open-api editions): a payment URL, QR
	// content or a VA number, depending on ChannelType.
	PayData string `json:"payData"`
	// RedirectURL is the hosted payment page to send the customer to (PH edition create),
	// valid for 1 hour from creation.
	RedirectURL string `json:"redirectUrl"`
	// CreateTime is when the payment was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the payment completed.
	ReturnTime Time `json:"returnTime"`
	// Remark is the merchant's remark (may be empty).
	Remark string `json:"remark"`
	// CustomerName is the payer's name (may be empty).
	CustomerName string `json:"customerName"`
	// Email is the payer's e-mail.
	Email string `json:"email"`
	// Mobile is the payer's mobile number.
	Mobile string `json:"mobile" log:"mask"`
	// AppName is the merchant application name (PH edition).
	AppName string `json:"appName"`
	// NotifyURL is the callback URL of the payment (read from callbackUrl when notifyUrl is
	// absent).
	NotifyURL string `json:"notifyUrl" alias:"callbackUrl"`
	ResultMeta
}

// LogValue logs the WebPayment with its account, mobile and token numbers masked to the last
// four characters.
func (x WebPayment) LogValue() slog.Value { return maskedLogValue(x) }

// PaymentURL returns the link to send the customer to: PayData when it is an http(s) URL,
// else RedirectURL when it is one, else "" (PayData then holds QR content or a VA number).
func (p *WebPayment) PaymentURL() string {
	if p == nil {
		return ""
	}
	if isHTTPLink(p.PayData) {
		return p.PayData
	}
	if isHTTPLink(p.RedirectURL) {
		return p.RedirectURL
	}
	return ""
}

func isHTTPLink(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// WebPaymentChannelList is the answer of 7.3: the channels open to the merchant.
type WebPaymentChannelList struct {
	// List holds one entry per channel (data {"list": [...]}, or the bare array some editions
	// send).
	List []WebPaymentChannel `json:"list" wire:"data"`
	ResultMeta
}

// WebPaymentChannel is one channel of WebPaymentChannelList.
type WebPaymentChannel struct {
	// ChannelType is the kind of channel.
	ChannelType WebPaymentChannelType `json:"channelType"`
	// ChannelCode is the channel code to use in WebPaymentCreateParams.ChannelCode.
	ChannelCode WebPaymentChannelCode `json:"channelCode"`
	// CountryCode is the country of the channel.
	CountryCode CountryCode `json:"countryCode"`
	// Currency is the currency the channel takes.
	Currency Currency `json:"currency"`
}

// WebPaymentNotification is the web payment callback (7.4), events h5.payment.success and
// h5.payment.failed. PayCools delivers at least once: deduplicate on TransactionID and
// TransactionStatus.
type WebPaymentNotification struct {
	// EventName is EventH5PaymentSuccess or EventH5PaymentFailed.
	EventName string `json:"eventName"`
	// MchOrderID is the merchant's order id.
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is PayCools' transaction id.
	TransactionID string `json:"transactionId"`
	// Amount is the amount paid in minor units (PHP 500.10 is 50010).
	Amount Amount `json:"amount"`
	// TransactionStatus is the payment status (COMPLETED or FAILED).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// CreateTime is when the payment was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the payment completed.
	ReturnTime Time `json:"returnTime"`
	// ChannelCode is the channel of the payment.
	ChannelCode WebPaymentChannelCode `json:"channelCode"`
	// Remark is the merchant's remark (optional).
	Remark string `json:"remark"`
	// FailedCode is the failure code, on failure only.
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure reason, on failure only.
	FailedMessage string `json:"failedMessage"`
	ResultMeta
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *WebPaymentNotification) eventName() string { return e.EventName }

func init() {
	registerEvent[WebPaymentNotification](EventH5PaymentSuccess, EventH5PaymentFailed)
}

// Create creates a web payment (doc 7.1) and returns it with status PENDING; send the customer
// to PaymentURL(). It moves money: when the outcome is unknown (the request may have reached
// PayCools), the client asks Get by MchOrderID and CountryCode instead of failing. Found: that
// payment is returned. Not found: the create is sent once more with the same MchOrderID.
// Otherwise the error is returned, still reporting IsOutcomeUnknown.
func (s *WebPaymentService) Create(ctx context.Context, p *WebPaymentCreateParams) (*WebPayment, error) {
	var order moneyOrder
	if p != nil {
		order = moneyOrder{mchOrderID: p.MchOrderID, lookupKey: string(p.CountryCode), amount: p.Amount, currency: p.Currency}
	}
	return createAndResolve(ctx, s.c, OpWebPaymentCreate, order,
		func(ctx context.Context) (*WebPayment, error) {
			return do[WebPayment](ctx, s.c, OpWebPaymentCreate, p)
		},
		s.lookup)
}

// lookup finds the web payment of a create by merchant order id and country: the outcome look-up
// query of Create and of Client.Recover.
func (s *WebPaymentService) lookup(ctx context.Context, o moneyOrder) (*WebPayment, error) {
	return s.Get(ctx, &WebPaymentGetParams{MchOrderID: o.mchOrderID, CountryCode: CountryCode(o.lookupKey)})
}

// Get reads a web payment by merchant order id or transaction id (doc 7.2). An unknown order
// gives an error matching ErrTransactionNotFound.
func (s *WebPaymentService) Get(ctx context.Context, p *WebPaymentGetParams) (*WebPayment, error) {
	return do[WebPayment](ctx, s.c, OpWebPaymentGet, p)
}

// Wait polls Get until the payment is final (COMPLETED or FAILED) and returns it. Temporary
// failures do not end the wait; when ctx ends it returns the last payment seen (nil if none)
// with the context error. Bound it with a context deadline (the payment link lives 1 hour).
func (s *WebPaymentService) Wait(ctx context.Context, p *WebPaymentGetParams) (*WebPayment, error) {
	return waitFinal(ctx, s.c, func(ctx context.Context) (*WebPayment, error) { return s.Get(ctx, p) },
		func(w *WebPayment) bool { return w.TransactionStatus.Final() })
}

// Channels lists the web payment channels open to the merchant in a country (doc 7.3). The
// path is unconfirmed (the open-api checkout channel list); override it with WithEndpoint.
func (s *WebPaymentService) Channels(ctx context.Context, p *WebPaymentChannelsParams) (*WebPaymentChannelList, error) {
	return do[WebPaymentChannelList](ctx, s.c, OpWebPaymentChannels, p)
}
