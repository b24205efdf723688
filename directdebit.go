package paycools

import (
	"context"
	"encoding/json"
)

// ChannelGCashDirectDebit is the GCash auto-debit channel (PH), the only Philippine direct
// debit channel seen.
const ChannelGCashDirectDebit = "PH_GCASH_DIRECT_DEBIT"

// DirectDebitAuthorizationLinkParams asks for the page where a user authorizes direct debit
// from their e-wallet (doc 10.1).
type DirectDebitAuthorizationLinkParams struct {
	// RequestID is the merchant's id for this authorization request, unique per request (1–32).
	RequestID string `json:"requestId" pc:"required,len=1..32"`
	// UserID is the merchant's own id for the user; tokens are bound to it (1–32).
	UserID string `json:"userId" pc:"required,len=1..32"`
	// ChannelCode is the wallet channel to authorize, e.g. ChannelGCashDirectDebit.
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
	// Timestamp is the request time in milliseconds since the epoch; 0 means the client's
	// clock fills it on every attempt.
	Timestamp int64 `json:"timestamp,omitempty"`
	// Extra holds fields the SDK does not model; merged into param last (Extra wins).
	Extra map[string]any `json:"-"`
}

func (p *DirectDebitAuthorizationLinkParams) validate(v *validation) {
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
	// Raw is the undecoded data of the answer.
	Raw json.RawMessage `json:"-"`
}

// CreateAuthorizationLink asks PayCools for the page where the user authorizes direct debit
// (doc 10.1). Send the user to AuthURL; the pay token arrives in the token.create.success
// callback at NotifyURL.
func (s *DirectDebitService) CreateAuthorizationLink(ctx context.Context, p *DirectDebitAuthorizationLinkParams) (*DirectDebitAuthorizationLink, error) {
	return do[DirectDebitAuthorizationLink](ctx, s.c, OpDirectDebitCreateAuthorizationLink, p)
}
