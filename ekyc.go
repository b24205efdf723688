package paycools

import (
	"context"
)

// Everything in this file is unconfirmed (docs/families.md): PayCools publishes no eKYC page body. The
// operations are modelled on direct debit 10.1 / 10.2 / 10.4. Extra (on every params struct),
// Raw (on every result) and Notification.Param are the escape hatches.

// eKYC events (doc 11.3; the names are guesses). They decode to *EKYCNotification.
const (
	// EventEKYCSuccess: the verification was approved.
	EventEKYCSuccess = "ekyc.success"
	// EventEKYCFailed: the verification was rejected or abandoned.
	EventEKYCFailed = "ekyc.failed"
)

func init() {
	registerEvent[EKYCNotification](EventEKYCSuccess, EventEKYCFailed)
	registerEventPrefix[EKYCNotification]("ekyc.")
}

// EKYCStatus is the outcome of an identity verification (all values unconfirmed). Decoding is
// case-insensitive (Approved becomes APPROVED) and also maps SUCCESS and COMPLETED to
// APPROVED and FAILED to REJECTED; an unknown value is kept verbatim and is not final.
type EKYCStatus string

// Identity verification states.
const (
	// EKYCStatusPending: started; the user has not finished. Not final.
	EKYCStatusPending EKYCStatus = "PENDING"
	// EKYCStatusProcessing: submitted and under review. Not final.
	EKYCStatusProcessing EKYCStatus = "PROCESSING"
	// EKYCStatusApproved: final, the identity was verified.
	EKYCStatusApproved EKYCStatus = "APPROVED"
	// EKYCStatusRejected: final, the verification failed.
	EKYCStatusRejected EKYCStatus = "REJECTED"
	// EKYCStatusExpired: final, the session lapsed unused.
	EKYCStatusExpired EKYCStatus = "EXPIRED"
)

var ekycStatusSpellings = map[string]string{
	"PENDING": "PENDING", "PROCESSING": "PROCESSING",
	"APPROVED": "APPROVED", "SUCCESS": "APPROVED", "COMPLETED": "APPROVED",
	"REJECTED": "REJECTED", "FAILED": "REJECTED",
	"EXPIRED": "EXPIRED",
}

// UnmarshalJSON decodes the status, normalising the spellings listed on EKYCStatus.
func (s *EKYCStatus) UnmarshalJSON(b []byte) error {
	v, err := decodeEnum(b, ekycStatusSpellings)
	if err != nil {
		return err
	}
	*s = EKYCStatus(v)
	return nil
}

// Final reports whether the status is final (APPROVED, REJECTED or EXPIRED).
func (s EKYCStatus) Final() bool {
	return s == EKYCStatusApproved || s == EKYCStatusRejected || s == EKYCStatusExpired
}

// EKYCInitParams starts an identity verification for one of the merchant's users (doc 11.1;
// unconfirmed). Send anything else a tenant needs (countryCode, terminalType, osType) in
// Extra.
type EKYCInitParams struct {
	// RequestID is the merchant's id for this verification, unique per request; the key of
	// GetResult (1–32).
	RequestID string `json:"requestId" pc:"required,len=1..32"`
	// UserID is the merchant's own id for the user being verified (1–32).
	UserID string `json:"userId" pc:"required,len=1..32"`
	// ChannelCode is the KYC provider / channel, from PayCools' eKYC channel code list (no
	// value is public).
	ChannelCode string `json:"channelCode" pc:"required"`
	// NotifyURL is where the 11.3 eKYC events are POSTed (1–256, absolute URL).
	NotifyURL string `json:"notifyUrl" pc:"required,len=1..256,url"`
	// RedirectURL is where the user is sent after the verification page (1–512, absolute
	// URL).
	RedirectURL string `json:"redirectUrl" pc:"required,len=1..512,url"`
	RequestFields
}

// EKYCSession is the answer of 11.1: the page where the user completes the verification.
type EKYCSession struct {
	// RequestID echoes the request.
	RequestID string `json:"requestId"`
	// UserID echoes the request.
	UserID string `json:"userId"`
	// ChannelCode echoes the request.
	ChannelCode string `json:"channelCode"`
	// EKYCURL is the page where the user completes the verification. The wire name is a
	// guess: when ekycUrl is absent or empty, url and then authUrl are taken.
	EKYCURL string `json:"ekycUrl" alias:"url,authUrl"`
	ResultMeta
}

// EKYCResultGetParams reads the outcome of a verification by its request id (doc 11.2;
// unconfirmed).
type EKYCResultGetParams struct {
	// RequestID is the RequestID of Init (1–32).
	RequestID string `json:"requestId" pc:"required,len=1..32"`
	// UserID is the user, as a cross-check (optional, 1–32).
	UserID string `json:"userId,omitempty" pc:"len=1..32"`
	RequestFields
}

// EKYCResult is the answer of 11.2: the outcome of a verification so far.
type EKYCResult struct {
	// RequestID is the verification.
	RequestID string `json:"requestId"`
	// UserID is the user.
	UserID string `json:"userId"`
	// ChannelCode is the KYC channel.
	ChannelCode string `json:"channelCode"`
	// KYCStatus is the outcome so far; see Final. When kycStatus is absent or empty,
	// ekycStatus and then status are taken.
	KYCStatus EKYCStatus `json:"kycStatus" alias:"ekycStatus,status"`
	// FailedCode is the failure code, on rejection.
	FailedCode int `json:"failedCode"`
	// FailedMessage is the failure text, on rejection.
	FailedMessage string `json:"failedMessage"`
	// CreateTime is when the verification started.
	CreateTime Time `json:"createTime"`
	// UpdateTime is the last change, e.g. when it passed.
	UpdateTime Time `json:"updateTime"`
	ResultMeta
}

// EKYCNotification is the 11.3 callback: a verification reached a result (EventEKYCSuccess,
// EventEKYCFailed; unconfirmed). Handlers must be idempotent (key: RequestID + KYCStatus).
type EKYCNotification struct {
	// EventName is the event name.
	EventName string `json:"eventName"`
	// EKYCResult is the verification as the callback reports it: KYCStatus is the outcome,
	// UpdateTime when it was reached, CreateTime zero (the callback does not carry it). Its
	// Raw (n.Raw) is the verified param and its Response is nil.
	EKYCResult
}

// eventName is the decoded eventName (the eventNamer of registerEvent).
func (e *EKYCNotification) eventName() string { return e.EventName }

// Init starts an identity verification (doc 11.1; unconfirmed). Send the user to EKYCURL; the
// outcome arrives as an eKYC event at NotifyURL and can be read with GetResult.
func (s *EKYCService) Init(ctx context.Context, p *EKYCInitParams) (*EKYCSession, error) {
	return do[EKYCSession](ctx, s.c, OpEKYCInit, p)
}

// GetResult reads the outcome of a verification by its RequestID (doc 11.2; unconfirmed).
func (s *EKYCService) GetResult(ctx context.Context, p *EKYCResultGetParams) (*EKYCResult, error) {
	return do[EKYCResult](ctx, s.c, OpEKYCGetResult, p)
}

// WaitResult polls GetResult until the verification is final (APPROVED, REJECTED or EXPIRED)
// and returns it. Other states (PENDING, PROCESSING, unknown values) mean keep asking, with
// backoff (see WithPollInterval), until ctx ends; a user may take minutes, so give ctx a
// deadline. When ctx ends it returns the last answer seen with the context error.
func (s *EKYCService) WaitResult(ctx context.Context, p *EKYCResultGetParams) (*EKYCResult, error) {
	return waitFinal(ctx, s.c, func(ctx context.Context) (*EKYCResult, error) {
		return s.GetResult(ctx, p)
	}, func(r *EKYCResult) bool { return r.KYCStatus.Final() })
}
