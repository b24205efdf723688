package paycools

import (
	"context"
	"log/slog"
	"unicode/utf8"
)

// Payout callback event names (doc 3.3), the eventName of a PayoutNotification.
const (
	// EventDisbursementSuccess is sent when a payout completed (transactionStatus COMPLETED).
	EventDisbursementSuccess = "disbursement.success"
	// EventDisbursementFailed is sent when a payout failed (transactionStatus FAILED, with
	// failedCode and failedMessage).
	EventDisbursementFailed = "disbursement.failed"
)

// PayMethodCode is the kind of payout destination.
type PayMethodCode string

// Payout destinations.
const (
	// PayMethodBank pays to a bank account: AccountNo is the account number and TransferCode
	// the bank.
	PayMethodBank PayMethodCode = "BANK"
	// PayMethodEWallet pays to an e-wallet: AccountNo must be the wallet's mobile number
	// 09xxxxxxxxx and TransferCode is the wallet.
	PayMethodEWallet PayMethodCode = "EWALLET"
	// PayMethodScanQR pays to a QR code: AccountNo holds the QR content and AccountName the
	// merchant name shown in the QR (seen only in the PH "DisbursementV2" page).
	PayMethodScanQR PayMethodCode = "SCANQR"
)

// PayoutCreateParams sends money from the merchant's PayCools balance to a bank account or an
// e-wallet (doc 3.1). It implements slog.LogValuer, so logging it never shows the full
// AccountNo.
type PayoutCreateParams struct {
	// MchOrderID is the merchant's order id, unique per merchant (1–32 chars; letters and
	// digits recommended). It is the lookup key for Get and for resolving an unknown outcome.
	MchOrderID string `json:"mchOrderId" pc:"required,len=1..32"`
	// IdempotencyID is PayCools' duplicate guard (10–30 chars): reuse the same value when
	// re-sending the same payout. Empty means MchOrderID when that is 10–30 chars long.
	IdempotencyID string `json:"idempotencyId" pc:"required,len=10..30" hint:"Create fills it from MchOrderID only when that is 10–30 characters long"`
	// Amount is the amount to pay out in minor units (centavos: PHP 500.10 is 50010),
	// 100–500000000.
	Amount Amount `json:"amount" pc:"required,range=100..500000000"`
	// AccountNo is the beneficiary's bank account number (digits only when PayMethodCode is
	// BANK), the wallet's mobile number 09xxxxxxxxx (required format when PayMethodCode is
	// EWALLET), or the QR content (SCANQR); 1–50 chars.
	AccountNo string `json:"accountNo" pc:"required,len=1..50" log:"mask"`
	// AccountName is the beneficiary's name, "first middle last" (middle optional); 1–128
	// chars, letters (any script), spaces and ' . - only.
	AccountName string `json:"accountName" pc:"required,len=1..128,pattern=personName"`
	// PayMethodCode is the kind of destination: BANK, EWALLET or SCANQR.
	PayMethodCode PayMethodCode `json:"payMethodCode" pc:"required,enum=BANK|EWALLET|SCANQR"`
	// TransferCode is the receiving bank or e-wallet, from the code list PayCools gives the
	// merchant (not checked by the SDK).
	TransferCode string `json:"transferCode" pc:"required"`
	// Remark is free text (1–256 chars when set), echoed by Get and in the callback.
	Remark string `json:"remark,omitempty" pc:"len=1..256"`
	RequestFields
}

func (p *PayoutCreateParams) validate(v *validation) {
	if p.PayMethodCode == PayMethodEWallet && p.AccountNo != "" {
		if pat := validationPatterns["ewalletMobile"]; !pat.re.MatchString(p.AccountNo) {
			v.add("accountNo", "must be "+pat.desc+" when payMethodCode is EWALLET")
		}
	}
	if p.PayMethodCode == PayMethodBank && p.AccountNo != "" && !allDigits(p.AccountNo) {
		v.add("accountNo", "must be the bank account number in digits only when payMethodCode is BANK (no letters, spaces or dashes): remove them, or use EWALLET or SCANQR for other destinations")
	}
}

// LogValue renders the params for slog with AccountNo masked to its last four characters
// (MaskAccountNumber). Extra is shown by its keys only, since its values are not known to be
// safe to log.
func (p PayoutCreateParams) LogValue() slog.Value {
	return maskedLogValue(p)
}

// PayoutGetParams reads the current state of one payout (doc 3.2), by MchOrderID or
// TransactionID (one of the two is required).
type PayoutGetParams struct {
	// MchOrderID is the merchant's order id of the payout (1–32 chars). One of MchOrderID /
	// TransactionID is required.
	MchOrderID string `json:"mchOrderId,omitempty" pc:"len=1..32"`
	// TransactionID is the PayCools payout id (1–32 chars). One of MchOrderID /
	// TransactionID is required.
	TransactionID string `json:"transactionId,omitempty" pc:"len=1..32"`
	// CountryCode is the country of the payout (PH, ID, MY, TH); empty means CountryPH.
	CountryCode CountryCode `json:"countryCode" pc:"required,enum=PH|ID|MY|TH"`
	RequestFields
}

func (p *PayoutGetParams) validate(v *validation) {
	v.requireOneOf("mchOrderId", p.MchOrderID, "transactionId", p.TransactionID)
}

// Payout is a payout as PayCools reports it: the answer of Create (doc 3.1, where only
// MchOrderID, TransactionID, TransactionStatus and TransactionTime are filled) and of Get
// (doc 3.2).
type Payout struct {
	// MchOrderID is the merchant's order id (≤ 32).
	MchOrderID string `json:"mchOrderId"`
	// TransactionID is the PayCools payout id, e.g. "D1656505190221611009".
	TransactionID string `json:"transactionId"`
	// CountryCode is the country of the payout.
	CountryCode CountryCode `json:"countryCode"`
	// Currency is the currency of Amount (PHP, IDR, MYR, THB).
	Currency Currency `json:"currency"`
	// Amount is the payout amount in minor units (centavos: PHP 500.10 is 50010; IDR: whole
	// rupiah).
	Amount Amount `json:"amount"`
	// TransactionStatus is the current state: PENDING, or final COMPLETED / FAILED.
	TransactionStatus TransactionStatus `json:"transactionStatus"`
	// CreateTime is when the payout was created.
	CreateTime Time `json:"createTime"`
	// ReturnTime is when the payout settled (completed or failed); zero while pending.
	ReturnTime Time `json:"returnTime"`
	// Remark is the merchant's remark.
	Remark string `json:"remark"`
	// FailedCode says why the payout failed (FailedCodeServiceError, …); 0 when none. Values
	// outside the documented list are kept.
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure text.
	FailedMessage string `json:"failedMessage"`
	// TransactionTime is when PayCools created the payout, as Create reports it (only in the
	// Create answer).
	TransactionTime Time `json:"transactionTime"`
	ResultMeta
}

// PayoutNotification is the payout callback (doc 3.3), the Event of a Notification whose
// EventName is EventDisbursementSuccess or EventDisbursementFailed. PayCools POSTs it to the
// payout callback URL set in the merchant dashboard. Delivery is at least once: handle it
// idempotently, keyed on TransactionID and EventName.
type PayoutNotification struct {
	// EventName is EventDisbursementSuccess or EventDisbursementFailed.
	EventName string `json:"eventName"`
	// Payout is the payout as the callback reports it: the fields of Get, final
	// TransactionStatus (PH COMPLETE is decoded as TransactionStatusCompleted), CountryCode
	// and Currency empty in the PH flat form, TransactionTime zero (only Create reports it).
	// Its Raw (n.Raw) is the verified param and its Response is nil.
	Payout
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *PayoutNotification) eventName() string { return e.EventName }

func init() {
	registerEvent[PayoutNotification](EventDisbursementSuccess, EventDisbursementFailed)
}

// Create sends a payout (doc 3.1). PayCools answers at once with its TransactionID, normally
// PENDING; the final state arrives in the payout callback (PayoutNotification) or through Get
// or Wait. p is not modified: an empty IdempotencyID is filled on a copy from MchOrderID when
// that is 10–30 chars long.
//
// When the outcome is unknown (the request may have reached PayCools but no answer came
// back), Create resolves it instead of guessing: it looks the payout up by MchOrderID (country
// PH). Found: that payout is returned. Not found: the same params (same mchOrderId and
// idempotencyId) are sent once more, and a "duplicate" answer to that resend is resolved by
// another lookup. Otherwise the original error is returned, still OutcomeUnknown: check the
// payout later with Get before sending it again.
func (s *PayoutService) Create(ctx context.Context, p *PayoutCreateParams) (*Payout, error) {
	if p == nil {
		return do[Payout](ctx, s.c, OpPayoutCreate, p)
	}
	q := p.filled()
	create := func(ctx context.Context) (*Payout, error) { return do[Payout](ctx, s.c, OpPayoutCreate, &q) }
	order := moneyOrder{mchOrderID: q.MchOrderID, idempotencyID: q.IdempotencyID, amount: q.Amount, account: q.AccountNo}
	return createAndResolve(ctx, s.c, OpPayoutCreate, order, create, s.lookup)
}

// filled is a copy of p as Create sends it: an empty IdempotencyID is MchOrderID when that
// is 10–30 chars long.
func (p *PayoutCreateParams) filled() PayoutCreateParams {
	q := *p
	if q.IdempotencyID == "" {
		if n := utf8.RuneCountInString(q.MchOrderID); n >= 10 && n <= 30 {
			q.IdempotencyID = q.MchOrderID
		}
	}
	return q
}

// lookup finds the payout of a create by its merchant order id (country PH): the outcome look-up
// query of Create and of Client.Recover.
func (s *PayoutService) lookup(ctx context.Context, o moneyOrder) (*Payout, error) {
	return s.Get(ctx, &PayoutGetParams{MchOrderID: o.mchOrderID, CountryCode: CountryPH})
}

// Get reads the current state of a payout (doc 3.2) by MchOrderID or TransactionID. p is not
// modified: an empty CountryCode means CountryPH.
func (s *PayoutService) Get(ctx context.Context, p *PayoutGetParams) (*Payout, error) {
	if p == nil {
		return do[Payout](ctx, s.c, OpPayoutGet, p)
	}
	q := *p
	if q.CountryCode == "" {
		q.CountryCode = CountryPH
	}
	return do[Payout](ctx, s.c, OpPayoutGet, &q)
}

// Wait polls Get until the payout is final (COMPLETED or FAILED) and returns it. Transient
// failures do not stop the wait; another error does. When ctx ends first it returns the last
// payout seen (nil if none) with the context error. Prefer the payout callback; use Wait as a
// fallback, with a deadline on ctx.
func (s *PayoutService) Wait(ctx context.Context, p *PayoutGetParams) (*Payout, error) {
	get := func(ctx context.Context) (*Payout, error) { return s.Get(ctx, p) }
	return waitFinal(ctx, s.c, get, func(po *Payout) bool { return po.TransactionStatus.Final() })
}
