package paycools

import (
	"context"
	"log/slog"
	"strings"
)

// DirectDebitChannelCodeGCash is the GCash auto-debit channel (PH), the only Philippine direct
// debit channel seen.
const DirectDebitChannelCodeGCash = "PH_GCASH_DIRECT_DEBIT"

// DirectDebitAuthorizationLinkCreateParams asks for the page where a user authorizes direct debit
// from their e-wallet (doc 10.1).
type DirectDebitAuthorizationLinkCreateParams struct {
	// RequestID is the merchant's id for this authorization request, unique per request (1–32).
	RequestID string `json:"requestId" pc:"required,len=1..32"`
	// UserID is the merchant's own id for the user; tokens are bound to it (1–32).
	UserID string `json:"userId" pc:"required,len=1..32"`
	// ChannelCode is the wallet channel to authorize, e.g. DirectDebitChannelCodeGCash.
	ChannelCode string `json:"channelCode" pc:"required"`
	// CountryCode is the country of the wallet (PH, ID, MY, TH).
	CountryCode CountryCode `json:"countryCode" pc:"required,enum=PH|ID|MY|TH"`
	// NotifyURL is where the 10.4 authorization events are POSTed (1–256, absolute URL).
	NotifyURL string `json:"notifyUrl" pc:"required,len=1..256,url"`
	// RedirectURL is where the wallet sends the user back (1–512, absolute URL).
	RedirectURL string `json:"redirectUrl" pc:"required,len=1..512,url"`
	// TerminalType is where the user opens the link: WEB, WAP (or APP).
	TerminalType TerminalType `json:"terminalType" pc:"required,enum=WEB|WAP|APP"`
	// OsType is the user's mobile OS; required when TerminalType is WAP or APP.
	OsType OSType `json:"osType,omitempty" pc:"enum=IOS|ANDROID"`
	RequestFields
}

func (p *DirectDebitAuthorizationLinkCreateParams) validate(v *validation) {
	if (p.TerminalType == TerminalTypeWAP || p.TerminalType == TerminalTypeApp) && p.OsType == "" {
		v.add("osType", "is required when terminalType is WAP or APP")
	}
}

// DirectDebitAuthorizationLink is the answer of 10.1: the page where the user authorizes.
type DirectDebitAuthorizationLink struct {
	// UserID echoes the request.
	UserID string `json:"userId"`
	// RequestID echoes the request.
	RequestID string `json:"requestId"`
	// ChannelCode echoes the request.
	ChannelCode string `json:"channelCode"`
	// AuthURL is the page where the user authorizes; open it in a browser or webview.
	AuthURL string `json:"authUrl"`
	ResultMeta
}

// CreateAuthorizationLink asks PayCools for the page where the user authorizes direct debit
// (doc 10.1). Send the user to AuthURL; the pay token arrives in the token.create.success
// callback at NotifyURL.
func (s *DirectDebitService) CreateAuthorizationLink(ctx context.Context, p *DirectDebitAuthorizationLinkCreateParams) (*DirectDebitAuthorizationLink, error) {
	return do[DirectDebitAuthorizationLink](ctx, s.c, OpDirectDebitCreateAuthorizationLink, p)
}

// Direct debit channel codes seen on sibling editions (not Philippine).
const (
	// DirectDebitChannelCodeBluePay is the BluePay (TH) direct debit channel, seen on a sibling
	// edition.
	DirectDebitChannelCodeBluePay = "BLUEPAY_DIRECT_DEBIT"
	// DirectDebitChannelCodeJTWallet is the J&T wallet direct debit channel, seen on a sibling
	// edition.
	DirectDebitChannelCodeJTWallet = "JTWALLET_DIRECT_DEBIT"
)

// Authorization events (doc 10.4), sent to the NotifyURL of 10.1. They all decode to
// *DirectDebitAuthorizationNotification.
const (
	// EventTokenCreateSuccess: the user authorized; the pay token is usable.
	EventTokenCreateSuccess = "token.create.success"
	// EventTokenCreateFailed: the authorization was refused or failed.
	EventTokenCreateFailed = "token.create.failed"
	// EventTokenCancelSuccess: the token was revoked (merchant 10.3, user, platform or expiry;
	// see InactiveType).
	EventTokenCancelSuccess = "token.cancel.success"
)

// Payment events (doc 10.7), sent to the NotifyURL of 10.5. They all decode to
// *DirectDebitPaymentNotification. They may never come: pair them with WaitPayment.
const (
	// EventDirectDebitSuccess: the charge completed.
	EventDirectDebitSuccess = "direct.debit.success"
	// EventDirectDebitFailed: the charge failed.
	EventDirectDebitFailed = "direct.debit.failed"
	// EventDirectDebitPaymentSuccess is the flat edition's name for EventDirectDebitSuccess.
	EventDirectDebitPaymentSuccess = "directdebit.payment.success"
	// EventDirectDebitPaymentFailed is the flat edition's name for EventDirectDebitFailed.
	EventDirectDebitPaymentFailed = "directdebit.payment.failed"
)

func init() {
	registerEvent[DirectDebitAuthorizationNotification](EventTokenCreateSuccess, EventTokenCreateFailed, EventTokenCancelSuccess)
	registerEvent[DirectDebitPaymentNotification](EventDirectDebitSuccess, EventDirectDebitFailed,
		EventDirectDebitPaymentSuccess, EventDirectDebitPaymentFailed)
}

// DirectDebitTokenStatus says whether a pay token can still be charged. The values are spelled
// as on the wire (ACTIVED, INACTIVED). Decoding is case-insensitive; an unknown value is kept.
type DirectDebitTokenStatus string

// Pay token states.
const (
	// DirectDebitTokenStatusActive: the token can be charged.
	DirectDebitTokenStatusActive DirectDebitTokenStatus = "ACTIVED"
	// DirectDebitTokenStatusInactive: the token was revoked or expired; see InactiveType.
	DirectDebitTokenStatusInactive DirectDebitTokenStatus = "INACTIVED"
)

var directDebitTokenStatusSpellings = map[string]string{
	"ACTIVED": "ACTIVED", "INACTIVED": "INACTIVED",
}

// UnmarshalJSON decodes the status case-insensitively (actived → ACTIVED); an unknown value is
// kept verbatim.
func (s *DirectDebitTokenStatus) UnmarshalJSON(b []byte) error {
	v, err := decodeEnum(b, directDebitTokenStatusSpellings)
	if err != nil {
		return err
	}
	*s = DirectDebitTokenStatus(v)
	return nil
}

// DirectDebitInactiveType says why a pay token became inactive. Decoding is case-insensitive;
// an unknown value is kept.
type DirectDebitInactiveType string

// Reasons a pay token became inactive.
const (
	// DirectDebitInactiveTypeMerchantCancel: the merchant cancelled it (10.3).
	DirectDebitInactiveTypeMerchantCancel DirectDebitInactiveType = "MCH_CANCEL"
	// DirectDebitInactiveTypePlatformCancel: PayCools cancelled it (seen on query pages only).
	DirectDebitInactiveTypePlatformCancel DirectDebitInactiveType = "PLATFORM_CANCEL"
	// DirectDebitInactiveTypeUserCancel: the user cancelled it in the wallet.
	DirectDebitInactiveTypeUserCancel DirectDebitInactiveType = "USER_CANCEL"
	// DirectDebitInactiveTypeExpired: the token expired.
	DirectDebitInactiveTypeExpired DirectDebitInactiveType = "EXPIRED"
)

var directDebitInactiveTypeSpellings = map[string]string{
	"MCH_CANCEL": "MCH_CANCEL", "PLATFORM_CANCEL": "PLATFORM_CANCEL",
	"USER_CANCEL": "USER_CANCEL", "EXPIRED": "EXPIRED",
}

// UnmarshalJSON decodes the reason case-insensitively; an unknown value is kept verbatim.
func (t *DirectDebitInactiveType) UnmarshalJSON(b []byte) error {
	v, err := decodeEnum(b, directDebitInactiveTypeSpellings)
	if err != nil {
		return err
	}
	*t = DirectDebitInactiveType(v)
	return nil
}

// DirectDebitAuthorizationGetParams reads a user's pay tokens (doc 10.2).
type DirectDebitAuthorizationGetParams struct {
	// UserID is the merchant's user id whose tokens are listed (1–32).
	UserID string `json:"userId" pc:"required,len=1..32"`
	// PayToken narrows the answer to this token (optional).
	PayToken string `json:"payToken,omitempty" log:"mask"`
	RequestFields
}

// LogValue masks the pay token, so that logging the params never logs a chargeable token.
func (p DirectDebitAuthorizationGetParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// DirectDebitAuthorizations is the answer of 10.2: a user's pay tokens.
type DirectDebitAuthorizations struct {
	// UserID is the user queried.
	UserID string `json:"userId"`
	// TokenList holds the user's tokens, active and inactive; it may be empty.
	TokenList []DirectDebitToken `json:"tokenList"`
	ResultMeta
}

// ActiveToken returns the first ACTIVED token for channelCode (any channel when channelCode
// is empty; the channel is compared case-insensitively), or nil.
func (a *DirectDebitAuthorizations) ActiveToken(channelCode string) *DirectDebitToken {
	if a == nil {
		return nil
	}
	for i := range a.TokenList {
		t := &a.TokenList[i]
		if t.TokenStatus == DirectDebitTokenStatusActive && (channelCode == "" || strings.EqualFold(t.ChannelCode, channelCode)) {
			return t
		}
	}
	return nil
}

// DirectDebitToken is one pay token of a user (an element of 10.2's tokenList).
type DirectDebitToken struct {
	// ChannelCode is the channel the token is for (also sent as channelcode).
	ChannelCode string `json:"channelCode"`
	// PayToken is the token to charge with in CreatePayment (also sent as paytoken).
	PayToken string `json:"payToken" log:"mask"`
	// TokenStatus says whether the token can still be charged (ACTIVED, INACTIVED).
	TokenStatus DirectDebitTokenStatus `json:"tokenStatus"`
	// ExpiresTime is when the token expires.
	ExpiresTime Time `json:"expiresTime"`
	// InactiveTime is when the token became inactive (zero while it is active).
	InactiveTime Time `json:"inactiveTime"`
	// InactiveType says why the token became inactive.
	InactiveType DirectDebitInactiveType `json:"inactiveType"`
	ResultMeta
}

// LogValue logs the DirectDebitToken with its account, mobile and token numbers masked to the last
// four characters.
func (x DirectDebitToken) LogValue() slog.Value { return maskedLogValue(x) }

// DirectDebitAuthorizationCancelParams revokes a pay token (doc 10.3; path and fields
// unconfirmed).
type DirectDebitAuthorizationCancelParams struct {
	// UserID is the merchant's user id that owns the token (1–32).
	UserID string `json:"userId" pc:"required,len=1..32"`
	// PayToken is the token to revoke.
	PayToken string `json:"payToken" pc:"required" log:"mask"`
	RequestFields
}

// LogValue masks the pay token, so that logging the params never logs a chargeable token.
func (p DirectDebitAuthorizationCancelParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// DirectDebitAuthorizationCancelResult is the answer of 10.3 (unconfirmed; shaped like a
// DirectDebitToken). PayCools may answer without data, which is still a success: then every
// field is empty. A token.cancel.success event follows.
type DirectDebitAuthorizationCancelResult struct {
	// UserID is the owner of the token.
	UserID string `json:"userId"`
	// ChannelCode is the channel of the token.
	ChannelCode string `json:"channelCode"`
	// PayToken is the revoked token.
	PayToken string `json:"payToken" log:"mask"`
	// TokenStatus is the state after cancelling (INACTIVED expected).
	TokenStatus DirectDebitTokenStatus `json:"tokenStatus"`
	// InactiveTime is when the token was revoked.
	InactiveTime Time `json:"inactiveTime"`
	// InactiveType is the reason (MCH_CANCEL expected).
	InactiveType DirectDebitInactiveType `json:"inactiveType"`
	ResultMeta
}

// LogValue logs the DirectDebitAuthorizationCancelResult with its account, mobile and token numbers masked to the last
// four characters.
func (x DirectDebitAuthorizationCancelResult) LogValue() slog.Value { return maskedLogValue(x) }

// DirectDebitAuthorizationNotification is the 10.4 callback: a pay token was created, refused
// or revoked (EventTokenCreateSuccess, EventTokenCreateFailed, EventTokenCancelSuccess).
// Handlers must be idempotent (key: RequestID + EventName, or PayToken + EventName).
type DirectDebitAuthorizationNotification struct {
	// EventName is one of the authorization event names.
	EventName string `json:"eventName"`
	// UserID is the merchant's user id from 10.1.
	UserID string `json:"userId"`
	// RequestID is the merchant's request id from 10.1.
	RequestID string `json:"requestId"`
	// ChannelCode is the wallet channel.
	ChannelCode string `json:"channelCode"`
	// CountryCode is the country (PH, ID, MY, TH).
	CountryCode CountryCode `json:"countryCode"`
	// PayToken is the token (wire key paytoken; payToken is accepted too). Store it against
	// UserID on EventTokenCreateSuccess.
	PayToken string `json:"paytoken" log:"mask"`
	// TokenStatus is ACTIVED after create and INACTIVED after cancel.
	TokenStatus DirectDebitTokenStatus `json:"tokenStatus"`
	// ExpiresTime is when the token expires.
	ExpiresTime Time `json:"expiresTime"`
	// InactiveTime is when the token became inactive.
	InactiveTime Time `json:"inactiveTime"`
	// InactiveType says why the token became inactive (MCH_CANCEL, USER_CANCEL, EXPIRED).
	InactiveType DirectDebitInactiveType `json:"inactiveType"`
	// UserLoginID is the user's wallet login id (flat edition only); for GCash it is the
	// mobile number, so it is masked in logs and prints like one.
	UserLoginID string `json:"userLoginId" log:"mask"`
	ResultMeta
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *DirectDebitAuthorizationNotification) eventName() string { return e.EventName }

// LogValue logs the DirectDebitAuthorizationNotification with its account, mobile and token numbers masked to the last
// four characters.
func (x DirectDebitAuthorizationNotification) LogValue() slog.Value { return maskedLogValue(x) }

// DirectDebitPaymentCreateParams charges a user's wallet with a pay token, without the user present
// (doc 10.5). It moves money: see DirectDebitService.CreatePayment.
type DirectDebitPaymentCreateParams struct {
	// MchOrderID is the merchant's order id, unique per charge (1–32; letters and digits
	// recommended). It is the key an unknown outcome is resolved by.
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32"`
	// Amount is the amount to debit in minor units (PHP 500.10 is 50010); more than 0.
	Amount Amount `json:"amount" pc:"required,range=1.."`
	// ChannelCode is the channel of the token, e.g. DirectDebitChannelCodeGCash.
	ChannelCode string `json:"channelCode" pc:"required"`
	// PayToken is the token from the token.create.success event or GetAuthorization.
	PayToken string `json:"payToken" pc:"required" log:"mask"`
	// NotifyURL is where the 10.7 payment events are POSTed (1–256, absolute URL).
	NotifyURL string `json:"notifyUrl" pc:"required,len=1..256,url"`
	// CustomerName is the payer's name (optional, 1–128).
	CustomerName string `json:"customerName,omitempty" pc:"len=1..128"`
	// Email is the payer's e-mail address (optional, 1–128).
	Email string `json:"email,omitempty" pc:"len=1..128,email"`
	// Mobile is the payer's phone, 11 digits 09xxxxxxxxx (optional).
	Mobile string `json:"mobile,omitempty" pc:"pattern=ewalletMobile" log:"mask"`
	// Remark is the merchant's note, echoed in GetPayment and the 10.7 event (optional,
	// 1–256).
	Remark string `json:"remark,omitempty" pc:"len=1..256"`
	RequestFields
}

// LogValue masks the mobile number and the pay token, so that logging the params never logs
// them in full.
func (p DirectDebitPaymentCreateParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// DirectDebitPaymentGetParams reads one direct debit charge (doc 10.6) by MchOrderID or
// TransactionID (at least one).
type DirectDebitPaymentGetParams struct {
	// MchOrderID is the merchant's order id (1–32; the envelope edition's key).
	MchOrderID string `json:"mchOrderId,omitempty" pc:"len=1..32"`
	// TransactionID is PayCools' payment id (the flat edition's key).
	TransactionID string `json:"transactionId,omitempty"`
	RequestFields
}

func (p *DirectDebitPaymentGetParams) validate(v *validation) {
	v.requireOneOf("mchOrderId", p.MchOrderID, "transactionId", p.TransactionID)
}

// DirectDebitPayment is a direct debit charge: the answer of CreatePayment (10.5) and of
// GetPayment (10.6). Both answers describe the same charge under the same names, so they
// share this type; a field is empty where the answer or the tenant's edition does not send it
// (10.5 sends MchOrderID, TransactionID, TransactionStatus, ChannelType and ChannelCode only,
// usually PENDING: follow it with WaitPayment).
type DirectDebitPayment struct {
	// MchOrderID is the merchant's order id.
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is PayCools' payment id.
	TransactionID string `json:"transactionId"`
	// Amount is the amount debited in minor units (PHP 500.10 is 50010).
	Amount Amount `json:"amount"`
	// Fee is PayCools' fee in minor units (envelope edition).
	Fee Amount `json:"fee"`
	// TotalAmount is Amount plus Fee in minor units (envelope edition).
	TotalAmount Amount `json:"totalAmount"`
	// TransactionStatus is the payment state; see Final.
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// ChannelType is the kind of channel, DIRECT_DEBIT (10.5 only; information only).
	ChannelType string `json:"channelType"`
	// ChannelCode is the channel used.
	ChannelCode string `json:"channelCode"`
	// CreateTime is when the record was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is the completion / callback time (flat edition).
	ReturnTime Time `json:"returnTime"`
	// TransactionCreateTime is when the payment was created (envelope edition).
	TransactionCreateTime Time `json:"transactionCreateTime"`
	// TransactionReturnTime is when the payment completed (envelope edition).
	TransactionReturnTime Time `json:"transactionReturnTime"`
	// UpdateTime is the last change (envelope edition).
	UpdateTime Time `json:"updateTime"`
	// CustomerName is the payer's name (flat edition).
	CustomerName string `json:"customerName"`
	// Email is the payer's e-mail (flat edition).
	Email string `json:"email"`
	// Mobile is the payer's phone (flat edition).
	Mobile string `json:"mobile" log:"mask"`
	// Remark is the merchant's note.
	Remark string `json:"remark"`
	// NotifyURL is the notification URL on file (envelope edition).
	NotifyURL string `json:"notifyUrl"`
	// CallbackURL is the notification URL on file (flat edition).
	CallbackURL string `json:"callbackUrl"`
	// AppName is the merchant application name (flat edition).
	AppName string `json:"appName"`
	// FailedCode is the failure code, on failure only (negative values such as
	// FailedCodeChannelRejected are seen).
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure text, on failure only.
	FailedMessage string `json:"failedMessage"`
	ResultMeta
}

// LogValue logs the charge with its account, mobile and token numbers masked to the last
// four characters.
func (x DirectDebitPayment) LogValue() slog.Value { return maskedLogValue(x) }

// DirectDebitPaymentNotification is the 10.7 callback: a direct debit charge completed or
// failed (EventDirectDebitSuccess, EventDirectDebitFailed and their flat-edition names). It may
// never come: pair it with WaitPayment. Handlers must be idempotent (key: MchOrderID +
// TransactionStatus).
type DirectDebitPaymentNotification struct {
	// EventName is one of the payment event names.
	EventName string `json:"eventName"`
	// MchOrderID is the merchant's order id from 10.5.
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is PayCools' payment id.
	TransactionID string `json:"transactionId"`
	// Amount is the amount debited in minor units (PHP 500.10 is 50010).
	Amount Amount `json:"amount"`
	// TransactionStatus is COMPLETED or FAILED (PENDING also seen).
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// CreateTime is when the payment was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the payment completed.
	ReturnTime Time `json:"returnTime"`
	// ChannelCode is the channel used.
	ChannelCode string `json:"channelCode"`
	// Remark is the merchant's note (may be empty).
	Remark string `json:"remark"`
	// FailedCode is the failure code, on failure (negative values seen).
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure text, on failure.
	FailedMessage string `json:"failedMessage"`
	ResultMeta
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *DirectDebitPaymentNotification) eventName() string { return e.EventName }

// GetAuthorization reads a user's pay tokens, active and inactive (doc 10.2).
func (s *DirectDebitService) GetAuthorization(ctx context.Context, p *DirectDebitAuthorizationGetParams) (*DirectDebitAuthorizations, error) {
	return do[DirectDebitAuthorizations](ctx, s.c, OpDirectDebitGetAuthorization, p)
}

// DirectDebitAuthorizationWaitParams names the authorization DirectDebit.WaitAuthorization
// waits for: the user whose tokens GetAuthorization (10.2) lists, and the channel the token
// must be for. It is not sent as such: each poll sends the GetAuthorization params built from
// it. It implements slog.LogValuer, so logging it never shows the full PayToken.
type DirectDebitAuthorizationWaitParams struct {
	// UserID is the merchant's user id whose tokens are listed (1–32).
	UserID string `json:"userId"`
	// PayToken narrows each answer to this token (optional).
	PayToken string `json:"payToken,omitempty" log:"mask"`
	// ChannelCode is the channel the active token must be for, e.g.
	// DirectDebitChannelCodeGCash; empty means any channel.
	ChannelCode string `json:"channelCode,omitempty"`
	// RequestFields are sent with every GetAuthorization poll (Extra; leave Timestamp 0, so
	// that every poll carries a fresh one).
	RequestFields
}

// LogValue masks the pay token, as DirectDebitAuthorizationGetParams does.
func (p DirectDebitAuthorizationWaitParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// WaitAuthorization polls GetAuthorization until the user's token list holds an ACTIVED token
// for p.ChannelCode (any channel when it is empty), and returns that answer; use ActiveToken
// to pick the token. If the user already holds such a token, it returns at once. The
// GetAuthorization params are validated before the first poll (a *ValidationError, nothing
// sent).
//
// A refused authorization shows only as the token.create.failed event, never in the list, so
// this wait ends only when ctx ends: give ctx a deadline (and cancel it when the event says the
// user refused). When ctx ends it returns the last answer seen with the context error.
func (s *DirectDebitService) WaitAuthorization(ctx context.Context, p *DirectDebitAuthorizationWaitParams) (*DirectDebitAuthorizations, error) {
	var q *DirectDebitAuthorizationGetParams // nil stays nil: GetAuthorization refuses it
	var channelCode string
	if p != nil {
		q = &DirectDebitAuthorizationGetParams{UserID: p.UserID, PayToken: p.PayToken, RequestFields: p.RequestFields}
		channelCode = p.ChannelCode
	}
	return waitFinal(ctx, s.c, func(ctx context.Context) (*DirectDebitAuthorizations, error) {
		return s.GetAuthorization(ctx, q)
	}, func(a *DirectDebitAuthorizations) bool { return a.ActiveToken(channelCode) != nil })
}

// CancelAuthorization revokes a pay token (doc 10.3; unconfirmed). A token.cancel.success
// event follows.
func (s *DirectDebitService) CancelAuthorization(ctx context.Context, p *DirectDebitAuthorizationCancelParams) (*DirectDebitAuthorizationCancelResult, error) {
	return do[DirectDebitAuthorizationCancelResult](ctx, s.c, OpDirectDebitCancelAuthorization, p)
}

// CreatePayment charges the user's wallet with a pay token (doc 10.5). The answer is usually
// still PENDING: follow it with WaitPayment (the 10.7 event may never come).
//
// It moves money. When the outcome is unknown (a timeout, a 5xx), it does not guess: it looks
// the charge up with GetPayment by the same MchOrderID. Found: that charge is returned.
// "Transaction not found": the same params (same MchOrderID) are sent once more. Anything
// else: the original error, for which IsOutcomeUnknown is true; query by MchOrderID before
// charging again, and never charge again under a new MchOrderID.
func (s *DirectDebitService) CreatePayment(ctx context.Context, p *DirectDebitPaymentCreateParams) (*DirectDebitPayment, error) {
	create := func(ctx context.Context) (*DirectDebitPayment, error) {
		return do[DirectDebitPayment](ctx, s.c, OpDirectDebitCreatePayment, p)
	}
	var order moneyOrder
	if p != nil {
		order = moneyOrder{mchOrderID: p.MchOrderID, amount: p.Amount}
	}
	return createAndResolve(ctx, s.c, OpDirectDebitCreatePayment, order, create, s.lookup)
}

// lookup finds the charge of a create by merchant order id (10.6): the outcome look-up of
// CreatePayment and of Client.Recover.
func (s *DirectDebitService) lookup(ctx context.Context, o moneyOrder) (*DirectDebitPayment, error) {
	return s.GetPayment(ctx, &DirectDebitPaymentGetParams{MchOrderID: o.mchOrderID})
}

// GetPayment reads one direct debit charge by MchOrderID or TransactionID (doc 10.6).
func (s *DirectDebitService) GetPayment(ctx context.Context, p *DirectDebitPaymentGetParams) (*DirectDebitPayment, error) {
	return do[DirectDebitPayment](ctx, s.c, OpDirectDebitGetPayment, p)
}

// WaitPayment polls GetPayment until the charge is final (COMPLETED or FAILED) and returns
// it. PENDING, PROCESSING and unknown states mean keep asking: behind direct debit, Alipay+
// may keep a charge PROCESSING and send no notification, and asks merchants to keep querying
// for more than one minute. So the wait never gives up on its own: it backs off (see
// WithPollInterval) until a final state or until ctx ends. Give ctx a deadline well over one
// minute. When ctx ends it returns the last answer seen with the context error.
func (s *DirectDebitService) WaitPayment(ctx context.Context, p *DirectDebitPaymentGetParams) (*DirectDebitPayment, error) {
	return waitFinal(ctx, s.c, func(ctx context.Context) (*DirectDebitPayment, error) {
		return s.GetPayment(ctx, p)
	}, func(d *DirectDebitPayment) bool { return d.TransactionStatus.Final() })
}
