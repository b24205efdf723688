package paycools

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
)

// Version is the SDK version of this source tree (the CHANGELOG's latest release). The
// User-Agent carries ModuleVersion instead, which a binary built with the module as a
// dependency takes from its build info, so that `go version -m` and the User-Agent agree.
const Version = "0.2.0"

// modulePath is this module's path, looked up in a binary's build info.
const modulePath = "github.com/paycools-sdk/paycools-go"

// ModuleVersion is the version of this module that the running binary was built with, as
// `go version -m` prints it without the "v" (e.g. "0.2.0", or a pseudo-version), or Version
// when the build info does not list the module (tests, a build inside this repository).
func ModuleVersion() string { return moduleVersionOf(debug.ReadBuildInfo()) }

func moduleVersionOf(bi *debug.BuildInfo, ok bool) string {
	if ok && bi != nil {
		mods := append([]*debug.Module{&bi.Main}, bi.Deps...)
		for _, m := range mods {
			if m == nil || m.Path != modulePath {
				continue
			}
			if m.Replace != nil {
				m = m.Replace
			}
			if v := strings.TrimPrefix(m.Version, "v"); v != "" && v != "(devel)" {
				return v
			}
		}
	}
	return Version
}

// Client talks to PayCools for one merchant application. It holds the appId and the merchant
// signer. It is immutable after NewClient and safe for concurrent use by many goroutines; make
// one per appId and share it.
type Client struct {
	appID          string
	signer         crypto.Signer
	baseURL        string
	httpClient     *http.Client
	platformKey    []verifyKey // WithPlatformPublicKey: the keys, tried in order (several while rotating); empty when unset
	logger         *slog.Logger
	retries        int
	clock          func() time.Time
	endpoints      map[Operation]*endpoint // this client's own copies: a call reads them without copying
	backoffMin     time.Duration
	backoffMax     time.Duration
	pollMin        time.Duration
	pollMax        time.Duration
	resolveOutcome bool
	userAgent      string

	dialect        Dialect         // the wire dialect (WithDialect, else from the base URL)
	spec           *dialectSpec    // everything the dialect is (set with dialect once the options ran)
	envSigning     EnvelopeSigning // what envelope operations sign (WithEnvelopeSigning, else per dialect)
	callbackSecret []*secretText   // flat SHA-1 callback secrets (WithCallbackSecret), tried in order; empty when unset; pointers, so that printing a Client value shows addresses, never a secret
	appName        string          // appName for the operations that carry it (WithAppName)
	quotedAppID    []byte          // appID as a JSON string, for the flat bodies
	quotedAppName  []byte          // appName as a JSON string, for the flat bodies
	baseURLSet     bool            // WithBaseURL was given
	overrides      []endpointOverride

	notifyStore  NotificationStore
	notifyMaxAge time.Duration                                    // events older are refused; 0: no window
	notifyStrict bool                                             // WithNotificationMaxAge was given: events without a time are refused too
	ledger       Ledger                                           // intents of money-moving creates (WithLedger); nil: none
	syncAfter    time.Duration                                    // WithSyncAfter
	syncWindow   time.Duration                                    // WithSyncWindow; 0: no limit
	syncWait     func(ctx context.Context, d time.Duration) error // WithSyncWait
	settleTime   time.Duration                                    // WithSettleTime: how long after the last attempt "not found" means absent
	observer     func(context.Context, Attempt)                   // WithAttemptObserver
	waitObserver func(context.Context, WaitProgress)              // WithWaitObserver

	rules *ruleCache // validation rules compiled per params type, on first use

	// heartbeatTicker, when set (by tests), replaces the ticker that renews a running
	// function's claim on an event.
	heartbeatTicker func(every time.Duration) (<-chan time.Time, func())

	// Account reads the balance and the payment and payout statements (doc section 2).
	Account *AccountService
	// Payouts sends money to bank accounts and e-wallets (doc section 3).
	Payouts *PayoutService
	// BillsPayment manages static virtual accounts (doc section 4).
	BillsPayment *BillsPaymentService
	// QRCodes manages QR codes for collection (doc section 5).
	QRCodes *QRCodeService
	// BankTransfers manages bank-transfer collection accounts (doc section 6).
	BankTransfers *BankTransferService
	// WebPayments creates and reads web (hosted) payments (doc section 7).
	WebPayments *WebPaymentService
	// Refunds refunds completed payments (doc section 8).
	Refunds *RefundService
	// Checkout creates and manages checkout orders (doc section 9).
	Checkout *CheckoutService
	// DirectDebit authorizes and charges e-wallets without the payer present (doc section 10).
	DirectDebit *DirectDebitService
	// EKYC runs electronic identity checks (doc section 11).
	EKYC *EKYCService
}

// AccountService is Client.Account: balance and statements.
type AccountService struct{ c *Client }

// PayoutService is Client.Payouts: create and read payouts.
type PayoutService struct{ c *Client }

// BillsPaymentService is Client.BillsPayment: static virtual accounts.
type BillsPaymentService struct{ c *Client }

// QRCodeService is Client.QRCodes: QR codes for collection.
type QRCodeService struct{ c *Client }

// BankTransferService is Client.BankTransfers: bank-transfer collection accounts.
type BankTransferService struct{ c *Client }

// WebPaymentService is Client.WebPayments: hosted web payments.
type WebPaymentService struct{ c *Client }

// RefundService is Client.Refunds: refunds of completed payments.
type RefundService struct{ c *Client }

// CheckoutService is Client.Checkout: checkout orders.
type CheckoutService struct{ c *Client }

// DirectDebitService is Client.DirectDebit: e-wallet auto-debit.
type DirectDebitService struct{ c *Client }

// EKYCService is Client.EKYC: electronic identity checks.
type EKYCService struct{ c *Client }

// Option configures a Client in NewClient.
type Option func(*Client) error

// WithBaseURL sets the PayCools host, e.g. BaseURLProduction or the host PayCools gave you.
// A path prefix is kept ("https://host/prefix" + "/open-api/x"). The default is BaseURLTest.
// A PayCools production host over plain http is refused; loopback, the PayCools test hosts
// and other hosts (a proxy, httptest) may use http.
func WithBaseURL(baseURL string) Option {
	return func(c *Client) error {
		u, err := url.Parse(baseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("WithBaseURL: %q is not an absolute http(s) URL", baseURL)
		}
		if u.Scheme == "http" && isPayCoolsProductionHost(u.Hostname()) {
			return fmt.Errorf("WithBaseURL: %q is a PayCools production host over plain http: use https (signed requests and callbacks carry account numbers)", baseURL)
		}
		c.baseURL = strings.TrimRight(baseURL, "/")
		c.baseURLSet = true
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for every request. The default has a 30-second
// timeout, does not follow redirects (a redirected POST could be replayed as a GET), and
// keeps up to 64 idle connections to the host, so that a client shared by many goroutines
// reuses its connections. A client with no Timeout is accepted: the context then bounds each
// call. Give its transport a MaxIdleConnsPerHost of at least the number of goroutines that
// call at once: http.DefaultTransport keeps only 2.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithPlatformPublicKey sets the PayCools platform public key, which PayCools hands out at
// onboarding and which verifies every callback (the envelope and flat RSA forms). Without it,
// callbacks cannot be verified: ParseNotification fails and the callback handlers refuse to be
// built.
//
// To rotate the key without downtime, give the new one in more: a callback that verifies with
// any of the keys, tried in order, is accepted, and the log line says which one did (its index
// and KeyFingerprint, never the key). See the README, "Rotating keys". A nil, unusable or
// repeated key is refused.
func WithPlatformPublicKey(pub *rsa.PublicKey, more ...*rsa.PublicKey) Option {
	return func(c *Client) error {
		keys := make([]verifyKey, 0, 1+len(more))
		for i, k := range append([]*rsa.PublicKey{pub}, more...) {
			if _, err := checkPublic(k); err != nil {
				return wrapError(fmt.Sprintf("WithPlatformPublicKey: key %d", i+1), err)
			}
			vk := newVerifyKey(k)
			for j, prev := range keys {
				if prev.pub.Equal(k) {
					return fmt.Errorf("WithPlatformPublicKey: key %d is key %d again (fingerprint %s): give each key once", i+1, j+1, vk.fingerprint)
				}
			}
			keys = append(keys, vk)
		}
		c.platformKey = keys
		return nil
	}
}

// WithLogger sets the logger. The client logs one line per attempt (operation, path, code,
// HTTP status, attempt, duration) at Debug, failures at Warn, and one Info line per
// money-moving call that succeeded (payout, web payment, checkout, refund, direct-debit
// payment: operation, amount in minor units, merchant order id, account number masked to its
// last four characters). It never logs the private key, param or sign. The default discards
// everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithRetries sets how many times a failed request may be resent (default 2, so at most 3
// attempts). Only failures that are safe to retry are retried: see the package README.
func WithRetries(n int) Option {
	return func(c *Client) error {
		if n < 0 {
			return fmt.Errorf("WithRetries: %d is negative", n)
		}
		c.retries = n
		return nil
	}
}

// WithClock sets the clock that fills param.timestamp (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("WithClock: nil clock")
		}
		c.clock = now
		return nil
	}
}

// WithEndpoint replaces the HTTP method and path of one operation in the client's dialect, for
// a tenant whose API details differ from the defaults. The body form (flat or envelope) and the
// fields of the operation stay those of the dialect's table. The path may hold {jsonName}
// placeholders.
func WithEndpoint(op Operation, method, path string) Option {
	return func(c *Client) error {
		if _, ok := openAPIRoutes[op]; !ok {
			return fmt.Errorf("WithEndpoint: unknown operation %q", op)
		}
		method = strings.ToUpper(method)
		if method != http.MethodGet && method != http.MethodPost {
			return fmt.Errorf("WithEndpoint: method %q: PayCools uses GET or POST", method)
		}
		if !strings.HasPrefix(path, "/") {
			return fmt.Errorf("WithEndpoint: path %q must start with /", path)
		}
		c.overrides = append(c.overrides, endpointOverride{op, method, path})
		return nil
	}
}

// endpointOverride is one WithEndpoint, applied to the dialect's table once the dialect is known.
type endpointOverride struct {
	op           Operation
	method, path string
}

// WithBackoff sets the retry backoff: the first wait is about min, doubling up to max, with
// jitter (defaults 250ms and 5s). Waits end early when the context ends.
func WithBackoff(min, max time.Duration) Option {
	return func(c *Client) error {
		if min <= 0 || max < min {
			return fmt.Errorf("WithBackoff: need 0 < min <= max, got %v, %v", min, max)
		}
		c.backoffMin, c.backoffMax = min, max
		return nil
	}
}

// WithPollInterval sets how the Wait methods poll: the first wait is min, growing by half up to
// max (defaults 1s and 10s).
func WithPollInterval(min, max time.Duration) Option {
	return func(c *Client) error {
		if min <= 0 || max < min {
			return fmt.Errorf("WithPollInterval: need 0 < min <= max, got %v, %v", min, max)
		}
		c.pollMin, c.pollMax = min, max
		return nil
	}
}

// WithResolveOutcome turns the automatic resolution of a money-moving create's unknown outcome on or off (default on).
// When on, a create whose outcome is unknown is followed by a status query under the same
// merchant order id; see the README section "Unknown outcomes".
func WithResolveOutcome(on bool) Option {
	return func(c *Client) error {
		c.resolveOutcome = on
		return nil
	}
}

// NewClient returns a client for the merchant application appID that signs with signer: a
// *rsa.PrivateKey from ParsePrivateKey, or any crypto.Signer whose public key is RSA of at
// least 2048 bits (a KMS or HSM key). The signer must sign with PKCS#1 v1.5 when given
// crypto.SHA256 as options. An appID with whitespace around it (read from a file with its
// trailing newline) is refused, not trimmed.
func NewClient(appID string, signer crypto.Signer, opts ...Option) (*Client, error) {
	if strings.TrimSpace(appID) == "" {
		return nil, errors.New("paycools: NewClient: appID is empty: set it to the appId of the PayCools dashboard (PAYCOOLS_APP_ID)")
	}
	if err := refuseSurroundingSpace("appID", appID); err != nil {
		return nil, wrapError("paycools: NewClient", err)
	}
	if _, err := rsaSignerPublic(signer); err != nil {
		return nil, wrapError("paycools: NewClient", err)
	}
	if k, ok := signer.(*rsa.PrivateKey); ok && k.Precomputed.Dp == nil {
		// Precompute on a copy, once: never per call, and never mutating the caller's key.
		kc := *k
		kc.Precompute()
		signer = &kc
	}
	c := &Client{
		appID:          appID,
		signer:         signer,
		baseURL:        BaseURLTest,
		logger:         slog.New(slog.DiscardHandler),
		retries:        defaultRetries,
		clock:          time.Now,
		backoffMin:     defaultBackoffMin,
		backoffMax:     defaultBackoffMax,
		pollMin:        defaultPollMin,
		pollMax:        defaultPollMax,
		resolveOutcome: true,
		settleTime:     DefaultSettleTime,
		syncAfter:      DefaultSyncAfter,
		syncWindow:     DefaultSyncWindow,
		userAgent:      "paycools-go/" + ModuleVersion(),

		notifyStore:  NewMemoryNotificationStore(defaultReplayWindow),
		notifyMaxAge: defaultReplayWindow,
		rules:        &ruleCache{},
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, wrapError("paycools: NewClient", err)
		}
	}
	c.resolveDialect()
	c.quotedAppID, c.quotedAppName = quoteJSON(c.appID), quoteJSON(c.appName)
	if c.httpClient == nil {
		c.httpClient = &http.Client{
			Transport: defaultTransport(),
			Timeout:   defaultHTTPTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	c.Account = &AccountService{c}
	c.Payouts = &PayoutService{c}
	c.BillsPayment = &BillsPaymentService{c}
	c.QRCodes = &QRCodeService{c}
	c.BankTransfers = &BankTransferService{c}
	c.WebPayments = &WebPaymentService{c}
	c.Refunds = &RefundService{c}
	c.Checkout = &CheckoutService{c}
	c.DirectDebit = &DirectDebitService{c}
	c.EKYC = &EKYCService{c}
	return c, nil
}

// defaultMaxIdleConnsPerHost is how many idle connections to PayCools the default transport
// keeps. http.DefaultTransport keeps 2, so a client shared by more goroutines than that
// closed a connection after most calls and opened (and TLS-handshaked) a new one for the next.
const defaultMaxIdleConnsPerHost = 64

// defaultTransport is http.DefaultTransport (proxy from the environment, dial and TLS
// timeouts, HTTP/2) with an idle pool sized for a client shared by many goroutines. It is nil,
// so http.DefaultTransport itself, if a program replaced that with another RoundTripper.
func defaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = defaultMaxIdleConnsPerHost
	return t
}

// AppID returns the merchant application id the client sends.
func (c *Client) AppID() string { return c.appID }

// BaseURL returns the PayCools host the client calls.
func (c *Client) BaseURL() string { return c.baseURL }

// Endpoint returns the HTTP method and path the client uses for op, after WithEndpoint
// overrides, and whether op is known.
func (c *Client) Endpoint(op Operation) (method, path string, ok bool) {
	ep, ok := c.endpoints[op]
	if !ok {
		return "", "", false
	}
	return ep.method, ep.path, true
}

// resolveDialect settles the dialect, the base URL, the envelope signing and the route table
// once every option has run (docs/dialects.md, "Hosts and the default dialect").
func (c *Client) resolveDialect() {
	if c.dialect == 0 {
		c.spec = dialectOfHost(c.baseURL)
	} else {
		c.spec = specOf(c.dialect)
		if k := knownHostDialect(c.baseURL); c.baseURLSet && k != nil && k != c.spec {
			c.logger.Warn("paycools: the dialect set with WithDialect is not the one of the base URL's host; using it",
				slog.String("dialect", c.spec.name), slog.String("base_url", c.baseURL))
		}
	}
	c.dialect = c.spec.dialect
	if !c.baseURLSet {
		c.baseURL = c.spec.baseURL
	}
	if c.envSigning == 0 {
		c.envSigning = c.spec.envelopeSigning
	}
	c.endpoints = make(map[Operation]*endpoint, len(c.spec.routes))
	for op, ep := range c.spec.routes {
		cp := ep
		c.endpoints[op] = &cp
	}
	for _, o := range c.overrides {
		if ep, ok := c.endpoints[o.op]; ok {
			ep.method, ep.path = o.method, o.path
		}
	}
	c.overrides = nil
}

// refuseSurroundingSpace refuses a credential with whitespace around it, typically the
// trailing newline of a file or a secret store read whole. It is refused rather than trimmed:
// the value is signed or hashed as given, and the caller should know that what it read is not
// what PayCools issued. The error names the value, never shows it.
func refuseSurroundingSpace(name, value string) error {
	if strings.TrimSpace(value) == value {
		return nil
	}
	return fmt.Errorf("%s has whitespace around it (a trailing newline read from a file or an environment variable?): pass strings.TrimSpace of it; nothing is trimmed silently, since the value is signed as given", name)
}

// isPayCoolsProductionHost reports whether host is under a PayCools domain and not one of its
// test hosts. Loopback and any other host (a proxy, a test server) are not.
func isPayCoolsProductionHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, t := range testHosts {
		if host == t {
			return false
		}
	}
	for _, d := range paycoolsDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
