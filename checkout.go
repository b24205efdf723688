package paycools

import (
	"context"
	"log/slog"
	"strings"
)

// Checkout (doc section 9, docs/families.md): a hosted payment page. Create an order (9.2), send the
// payer's browser to CheckoutURL, and learn the result from the checkout.payment.* callback
// (9.5), Get (9.3) or Wait. An unpaid order can be closed (9.4). An order ends COMPLETED, FAILED
// or CLOSED.

// Checkout callback events (doc 9.5); both decode to *CheckoutNotification.
const (
	// EventCheckoutPaymentSuccess is the eventName of a completed checkout payment.
	EventCheckoutPaymentSuccess = "checkout.payment.success"
	// EventCheckoutPaymentFailed is the eventName of a failed checkout payment.
	EventCheckoutPaymentFailed = "checkout.payment.failed"
)

// CheckoutChannelType is a kind of channel the checkout page can offer. Unknown values are
// kept.
type CheckoutChannelType string

// Checkout channel types.
const (
	// CheckoutChannelTypeQR is a QR code channel.
	CheckoutChannelTypeQR CheckoutChannelType = "QR"
	// CheckoutChannelTypeOnlineBanking is an online banking channel.
	CheckoutChannelTypeOnlineBanking CheckoutChannelType = "ONLINE_BANKING"
	// CheckoutChannelTypeEWallet is an e-wallet channel such as GCash.
	CheckoutChannelTypeEWallet CheckoutChannelType = "EWALLET"
	// CheckoutChannelTypeBankTransfer is a bank transfer channel.
	CheckoutChannelTypeBankTransfer CheckoutChannelType = "BANK_TRANSFER"
	// CheckoutChannelTypeCard is a card channel.
	CheckoutChannelTypeCard CheckoutChannelType = "CARD"
	// CheckoutChannelTypePayLater is a buy-now-pay-later channel; the order then needs
	// GoodsDetails and a BillingAddress.
	CheckoutChannelTypePayLater CheckoutChannelType = "PAYLATER"
)

// CheckoutLanguage is the language of the checkout page.
type CheckoutLanguage string

// Checkout page languages.
const (
	// CheckoutLanguageEN is English.
	CheckoutLanguageEN CheckoutLanguage = "EN"
	// CheckoutLanguageIN is presumably Indonesian (as printed by PayCools).
	CheckoutLanguageIN CheckoutLanguage = "IN"
	// CheckoutLanguageTH is Thai.
	CheckoutLanguageTH CheckoutLanguage = "TH"
)

// CheckoutChannelsParams lists the channels the checkout page can offer in a country (doc 9.1).
type CheckoutChannelsParams struct {
	// CountryCode is the country whose checkout channels are listed (PH, ID, MY, TH).
	CountryCode CountryCode `json:"countryCode" pc:"required,enum=PH|ID|MY|TH"`
	RequestFields
}

// CheckoutChannelList is the answer of 9.1.
type CheckoutChannelList struct {
	// List holds the channels the checkout page can offer this merchant.
	// (data {"list": [...]}, or the bare array some editions send)
	List []CheckoutChannel `json:"list" wire:"data"`
	ResultMeta
}

// CheckoutChannel is one channel of CheckoutChannelList.
type CheckoutChannel struct {
	// ChannelType is the kind of channel.
	ChannelType CheckoutChannelType `json:"channelType"`
	// ChannelCode is the channel code (e.g. PH_GCASH_QR), usable in
	// CheckoutCreateParams.ChannelCodeList.
	ChannelCode string `json:"channelCode"`
	// CountryCode is the country of the channel.
	CountryCode CountryCode `json:"countryCode"`
	// Currency is the currency the channel takes.
	Currency Currency `json:"currency"`
}

// CheckoutCreateParams creates a checkout order (doc 9.2). Fields PayCools documents but the
// SDK does not model (userId, shippingAddress, metadata) go through Extra.
type CheckoutCreateParams struct {
	// MchOrderID is the merchant's order id, unique per order (1–32; PayCools asks for letters
	// and digits). It is the key under which an unknown outcome is resolved.
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32"`
	// MerchantLogo is the URL of a logo shown on the checkout page.
	MerchantLogo string `json:"merchantLogo,omitempty" pc:"url"`
	// Language is the page language (EN, IN, TH); default is the country's language, else
	// English.
	Language CheckoutLanguage `json:"language,omitempty" pc:"enum=EN|IN|TH"`
	// CountryCode is the country of the payment (PH, ID, MY, TH).
	CountryCode CountryCode `json:"countryCode" pc:"required,enum=PH|ID|MY|TH"`
	// Currency is the currency in which Amount is priced (PHP, IDR, MYR, THB): the one of
	// CountryCode (PH/PHP, ID/IDR, MY/MYR, TH/THB); another pair is refused before sending.
	Currency Currency `json:"currency" pc:"required,enum=PHP|IDR|MYR|THB"`
	// SettlementCurrency is the currency in which the merchant is settled (PHP, IDR, MYR, THB).
	SettlementCurrency Currency `json:"settlementCurrency" pc:"required,enum=PHP|IDR|MYR|THB"`
	// ChannelTypeList offers only these kinds of channel; empty offers all.
	ChannelTypeList []CheckoutChannelType `json:"channelTypeList,omitempty"`
	// ChannelCodeList offers only these channels (codes from Checkout.Channels, such as
	// PH_GCASH_QR); empty offers all. A bare wallet name such as GCASH is refused.
	ChannelCodeList []string `json:"channelCodeList,omitempty"`
	// Amount is the amount to collect in minor units (PHP 500.10 is 50010; IDR whole rupiah);
	// must be positive.
	Amount Amount `json:"amount" pc:"required,range=1.."`
	// CustomerName is the payer's name (1–128).
	CustomerName string `json:"customerName" pc:"required,len=1..128"`
	// Email is the payer's e-mail (1–128).
	Email string `json:"email" pc:"required,len=1..128,email"`
	// Mobile is the payer's phone number (10–14 characters).
	Mobile string `json:"mobile" pc:"required,len=10..14,pattern=phone" log:"mask"`
	// ExpireSeconds is the lifetime of the checkout order in seconds (> 0); 0 leaves the
	// PayCools default.
	ExpireSeconds int64 `json:"expireSeconds,omitempty" pc:"range=1.."`
	// NotifyURL is where the 9.5 notification is POSTed (1–256, absolute http(s) URL).
	NotifyURL string `json:"notifyUrl" pc:"required,len=1..256,url"`
	// RedirectURL is where the payer's browser goes after paying (1–512, absolute http(s) URL).
	RedirectURL string `json:"redirectUrl" pc:"required,len=1..512,url"`
	// Remark is the merchant's note (1–256), echoed in Get and the notification.
	Remark string `json:"remark,omitempty" pc:"len=1..256"`
	// VirtualAccountName is the name shown for virtual-account channels; default is the
	// merchant's name.
	VirtualAccountName string `json:"virtualAccountName,omitempty"`
	// GoodsDetails lists the items bought; required when ChannelTypeList contains PAYLATER.
	GoodsDetails []CheckoutGoodsDetail `json:"goodsDetails,omitempty"`
	// BillingAddress is the payer's billing address; required when ChannelTypeList contains
	// PAYLATER.
	BillingAddress *CheckoutAddress `json:"billingAddress,omitempty"`
	RequestFields
}

func (p *CheckoutCreateParams) validate(v *validation) {
	checkCountryCurrency(v, p.CountryCode, "currency", p.Currency)
	for i, code := range p.ChannelCodeList {
		if problem := channelCodeProblem(code); problem != "" {
			v.add("channelCodeList["+itoa(i)+"]", problem)
		}
	}
	payLater := false
	for i, t := range p.ChannelTypeList {
		switch t {
		case CheckoutChannelTypeQR, CheckoutChannelTypeOnlineBanking, CheckoutChannelTypeEWallet,
			CheckoutChannelTypeBankTransfer, CheckoutChannelTypeCard:
		case CheckoutChannelTypePayLater:
			payLater = true
		default:
			v.add("channelTypeList["+itoa(i)+"]", "must be one of QR, ONLINE_BANKING, EWALLET, BANK_TRANSFER, CARD, PAYLATER")
		}
	}
	if payLater {
		if len(p.GoodsDetails) == 0 {
			v.add("goodsDetails", "is required when channelTypeList contains PAYLATER")
		}
		if p.BillingAddress == nil {
			v.add("billingAddress", "is required when channelTypeList contains PAYLATER")
		}
	}
}

// LogValue logs the params with the mobile numbers (payer's and billing address's) masked to
// their last four digits, and without Extra (whose contents the SDK does not know), so that
// logging params never logs them in full. The caller's params are not modified.
func (p CheckoutCreateParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// CheckoutGoodsDetail is one item of CheckoutCreateParams.GoodsDetails. The inner names are
// unconfirmed (from a public integration); PayCools does not list which are required.
type CheckoutGoodsDetail struct {
	// Name is the item name.
	Name string `json:"name,omitempty"`
	// Price is the unit price in minor units (PHP 500.10 is 50010).
	Price Amount `json:"price,omitempty"`
	// Quantity is the number of units (at least 1).
	Quantity int `json:"quantity,omitempty" pc:"range=1.."`
	// Sku is the merchant's item code.
	Sku string `json:"sku,omitempty"`
	// URL is the item page (absolute http(s) URL).
	URL string `json:"url,omitempty" pc:"url"`
	// Category is the item category.
	Category string `json:"category,omitempty"`
}

// CheckoutAddress is the payer's billing address (pay-later channels). The inner names are
// unconfirmed (from a public integration); all are optional for the SDK.
type CheckoutAddress struct {
	// Name is the addressee.
	Name string `json:"name,omitempty"`
	// CustomerName is the payer's name.
	CustomerName string `json:"customerName,omitempty"`
	// AddressLine1 is the street, line 1.
	AddressLine1 string `json:"addressLine1,omitempty"`
	// AddressLine2 is the street, line 2.
	AddressLine2 string `json:"addressLine2,omitempty"`
	// City is the city.
	City string `json:"city,omitempty"`
	// Province is the province or region.
	Province string `json:"province,omitempty"`
	// PostCode is the postal code.
	PostCode string `json:"postCode,omitempty"`
	// Email is the e-mail address (checked to look like one when set).
	Email string `json:"email,omitempty" pc:"email"`
	// Mobile is the phone number, digits only (a leading + allowed).
	Mobile string `json:"mobile,omitempty" pc:"pattern=phone" log:"mask"`
	// CountryCode is the country.
	CountryCode CountryCode `json:"countryCode,omitempty"`
	// RedirectURL is a return URL (seen on billing addresses only).
	RedirectURL string `json:"redirectUrl,omitempty"`
}

// LogValue logs the CheckoutAddress with its account, mobile and token numbers masked to the last
// four characters.
func (x CheckoutAddress) LogValue() slog.Value { return maskedLogValue(x) }

// CheckoutOrder is a checkout order: the answer of Create (9.2) and of Get (9.3). Both
// answers describe the same order, so they share this type; a field is empty where the answer
// does not carry it. Create's answer has CheckoutURL and ExpiresTime (and CheckoutID,
// TransactionStatus, MchOrderID); Get's has everything else but no CheckoutURL.
//
// After a resolved create (the first answer was lost and Get found the order), the order is
// Get's answer. 9.3 does not return the link, so CheckoutURL is then empty; a caller who needs
// a link must Close the order and create a new one under a new MchOrderID.
type CheckoutOrder struct {
	// MchOrderID is the merchant's order id; copied from the params when Create's answer
	// leaves it out.
	MchOrderID string `json:"mchOrderId"`
	// CheckoutID is PayCools' id of the checkout order (e.g. "CH" + digits).
	CheckoutID string `json:"checkoutId"`
	// CheckoutURL is the hosted page to send the payer's browser to (Create only; empty after
	// Get or a resolved create, see the type's doc).
	CheckoutURL string `json:"checkoutUrl"`
	// ExpiresTime is when the order stops accepting payment (Create only).
	ExpiresTime Time `json:"expiresTime"`
	// TransactionID is PayCools' payment id, once a payment exists (Get only).
	TransactionID string `json:"transactionId"`
	// Amount is the order amount in minor units, PHP 500.10 is 50010 (Get only: zero in
	// Create's answer, which does not repeat it).
	Amount Amount `json:"amount"`
	// Currency is the pricing currency (Get only).
	Currency Currency `json:"currency"`
	// SettlementCurrency is the settlement currency (Get only).
	SettlementCurrency Currency `json:"settlementCurrency"`
	// CountryCode is the country (Get only).
	CountryCode CountryCode `json:"countryCode"`
	// TransactionStatus is the order / payment state: PENDING, then COMPLETED, FAILED or
	// CLOSED (final). Get sends it as transactionStatus, Create as status.
	TransactionStatus TransactionStatus `json:"transactionStatus" alias:"status"`
	// ChannelCode is the channel the payer used, e.g. PH_GCASH_URL (Get only).
	ChannelCode string `json:"channelCode"`
	// CreateTime is when the order was created (Get only).
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the payment finished (Get only).
	ReturnTime Time `json:"returnTime"`
	// Remark is the merchant's note (Get only).
	Remark string `json:"remark"`
	// FailedCode is the failure code, on failure only.
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure text, on failure only.
	FailedMessage string `json:"failedMessage"`
	// AppName is the merchant application name (older edition).
	AppName string `json:"appName"`
	// CallbackURL is the notification URL on file (older edition).
	CallbackURL string `json:"callbackUrl"`
	ResultMeta
}

// CheckoutGetParams reads a checkout order (doc 9.3) by MchOrderID or CheckoutID (send both
// when known).
type CheckoutGetParams struct {
	// MchOrderID is the merchant's order id (1–32); one of MchOrderID and CheckoutID is
	// required.
	MchOrderID string `json:"mchOrderId,omitempty" pc:"len=1..32"`
	// CheckoutID is PayCools' checkout id from Create; one of MchOrderID and CheckoutID is
	// required.
	CheckoutID string `json:"checkoutId,omitempty"`
	RequestFields
}

func (p *CheckoutGetParams) validate(v *validation) {
	v.requireOneOf("mchOrderId", p.MchOrderID, "checkoutId", p.CheckoutID)
}

// CheckoutCloseParams closes an unpaid checkout order (doc 9.4) by MchOrderID or CheckoutID
// (send both when known). Tenants that also need countryCode send it through Extra.
type CheckoutCloseParams struct {
	// MchOrderID is the merchant's order id (1–32); one of MchOrderID and CheckoutID is
	// required.
	MchOrderID string `json:"mchOrderId,omitempty" pc:"len=1..32"`
	// CheckoutID is PayCools' checkout id; one of MchOrderID and CheckoutID is required.
	CheckoutID string `json:"checkoutId,omitempty"`
	RequestFields
}

func (p *CheckoutCloseParams) validate(v *validation) {
	v.requireOneOf("mchOrderId", p.MchOrderID, "checkoutId", p.CheckoutID)
}

// CheckoutCloseResult is the answer of 9.4 (unconfirmed names). PayCools may answer without
// data, which is still a success: all fields are then empty.
type CheckoutCloseResult struct {
	// MchOrderID is the merchant's order id.
	MchOrderID string `json:"mchOrderId"`
	// CheckoutID is PayCools' checkout id.
	CheckoutID string `json:"checkoutId"`
	// TransactionID is PayCools' payment id, if any.
	TransactionID string `json:"transactionId"`
	// ChannelCode is the channel, if one was chosen.
	ChannelCode string `json:"channelCode"`
	// TransactionStatus is the state after closing (CLOSED; wire name status).
	TransactionStatus TransactionStatus `json:"status"`
	// ClosedTime is when the order was closed.
	ClosedTime Time `json:"closedTime"`
	ResultMeta
}

// CheckoutNotification is the checkout payment notification (9.5), events
// checkout.payment.success and checkout.payment.failed. PayCools delivers at least once:
// deduplicate on MchOrderID and TransactionStatus, and compare Amount and Currency with your
// own order before fulfilling it.
type CheckoutNotification struct {
	// EventName is EventCheckoutPaymentSuccess or EventCheckoutPaymentFailed.
	EventName string `json:"eventName"`
	// CheckoutID is PayCools' checkout id.
	CheckoutID string `json:"checkoutId"`
	// CountryCode is the country (PH, ID, MY, TH).
	CountryCode CountryCode `json:"countryCode"`
	// Currency is the pricing currency.
	Currency Currency `json:"currency"`
	// SettlementCurrency is the settlement currency.
	SettlementCurrency Currency `json:"settlementCurrency"`
	// MchOrderID is the merchant's order id.
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is PayCools' payment id.
	TransactionID string `json:"transactionId"`
	// Amount is the amount paid in minor units (PHP 500.10 is 50010).
	Amount Amount `json:"amount"`
	// TransactionStatus is COMPLETED or FAILED (PENDING also seen).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// CreateTime is when the payment was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the payment completed.
	ReturnTime Time `json:"returnTime"`
	// ChannelCode is the channel the payer used.
	ChannelCode string `json:"channelCode"`
	// Remark is the merchant's note from Create (may be empty).
	Remark string `json:"remark"`
	// FailedCode is the failure code, on failure only.
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure text, on failure only.
	FailedMessage string `json:"failedMessage"`
	ResultMeta
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *CheckoutNotification) eventName() string { return e.EventName }

func init() {
	registerEvent[CheckoutNotification](EventCheckoutPaymentSuccess, EventCheckoutPaymentFailed)
}

// Channels lists the channels the checkout page can offer the merchant in a country (doc 9.1).
func (s *CheckoutService) Channels(ctx context.Context, p *CheckoutChannelsParams) (*CheckoutChannelList, error) {
	return do[CheckoutChannelList](ctx, s.c, OpCheckoutChannels, p)
}

// Create creates a checkout order (doc 9.2); send the payer's browser to CheckoutURL. It moves
// money: when the outcome is unknown (the request may have reached PayCools), the client asks
// Get by MchOrderID instead of failing. Found: that answer is returned (without CheckoutURL,
// see CheckoutOrder). Not found: the create is sent once more with the
// same MchOrderID. Otherwise the error is returned, still reporting IsOutcomeUnknown.
func (s *CheckoutService) Create(ctx context.Context, p *CheckoutCreateParams) (*CheckoutOrder, error) {
	var order moneyOrder
	if p != nil {
		order = moneyOrder{mchOrderID: p.MchOrderID, amount: p.Amount, currency: p.Currency}
	}
	return createAndResolve(ctx, s.c, OpCheckoutCreate, order,
		func(ctx context.Context) (*CheckoutOrder, error) {
			o, err := do[CheckoutOrder](ctx, s.c, OpCheckoutCreate, p)
			if err == nil && o.MchOrderID == "" {
				o.MchOrderID = p.MchOrderID
			}
			return o, err
		},
		func(ctx context.Context, mo moneyOrder) (*CheckoutOrder, error) {
			// Get's answer as it is: its MchOrderID is what PayCools names, and an answer that
			// names no order proves nothing.
			return s.lookup(ctx, mo)
		})
}

// lookup finds the checkout order of a create by merchant order id (9.3): the outcome look-up
// of Create and of Client.Recover.
func (s *CheckoutService) lookup(ctx context.Context, o moneyOrder) (*CheckoutOrder, error) {
	return s.Get(ctx, &CheckoutGetParams{MchOrderID: o.mchOrderID})
}

// Get reads a checkout order (doc 9.3). An unknown order gives an error matching
// ErrTransactionNotFound.
func (s *CheckoutService) Get(ctx context.Context, p *CheckoutGetParams) (*CheckoutOrder, error) {
	return do[CheckoutOrder](ctx, s.c, OpCheckoutGet, p)
}

// Wait polls Get until the order is final (COMPLETED, FAILED or CLOSED) and returns it.
// Temporary failures do not end the wait; when ctx ends it returns the last order seen (nil if
// none) with the context error. Bound it with a context deadline.
func (s *CheckoutService) Wait(ctx context.Context, p *CheckoutGetParams) (*CheckoutOrder, error) {
	return waitFinal(ctx, s.c, func(ctx context.Context) (*CheckoutOrder, error) { return s.Get(ctx, p) },
		func(d *CheckoutOrder) bool { return d.TransactionStatus.Final() })
}

// Close closes an unpaid (PENDING) checkout order so that it can no longer be paid (doc 9.4).
// Afterwards Get reports CLOSED. Closing a finished order is expected to give an API error.
func (s *CheckoutService) Close(ctx context.Context, p *CheckoutCloseParams) (*CheckoutCloseResult, error) {
	return do[CheckoutCloseResult](ctx, s.c, OpCheckoutClose, p)
}

// channelCodeProblem says what is wrong with a checkout channel code ("" when it looks like
// one). A channel code names the country or wallet and the way of paying, joined by
// underscores (PH_GCASH_QR, PH_QRPH_DYNAMIC, PH_GCASH_URL; docs/families.md 9.1): a bare wallet
// or bank name such as GCASH is not one, and the checkout page would offer nothing for it.
func channelCodeProblem(code string) string {
	switch {
	case strings.TrimSpace(code) == "":
		return "is empty: use a channelCode from Checkout.Channels, e.g. PH_GCASH_QR"
	case strings.TrimSpace(code) != code:
		return "has surrounding spaces: remove them"
	case !strings.Contains(code, "_"):
		return "looks like a wallet or bank name, not a channel code: use a channelCode from Checkout.Channels, e.g. PH_GCASH_QR or PH_GCASH_URL (or ChannelTypeList to offer every channel of a type)"
	}
	return ""
}
