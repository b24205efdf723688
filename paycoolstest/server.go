package paycoolstest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// DefaultBalance is the merchant balance a new Server starts with: PHP 1,000,000.00.
const DefaultBalance paycools.Amount = 100_000_000

// DefaultTimestampWindow is how far a request timestamp may be from the gateway's clock
// before it answers 21009 (docs/envelope.md §6: 2 minutes).
const DefaultTimestampWindow = 2 * time.Minute

// Server is a running fake PayCools gateway. Its methods are safe for concurrent use.
type Server struct {
	cfg      config
	url      string
	listener net.Listener
	http     *http.Server
	cbClient *http.Client

	// lifecycle: handlers and background deliveries are counted so that Close waits for them.
	life     sync.Mutex
	closed   bool
	inflight sync.WaitGroup
	done     chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc

	mu    sync.Mutex // guards everything below
	st    *state
	seq   int64
	reqs  []Request
	cbs   []*CallbackResult
	fault map[string][]Fault // route key or literal path → pending faults (first applies next)

	// The WithRoute routes, written once by NewServerAt: the open-api-form rows the checks and
	// handlers run on, and on a PH gateway the PH rows requests are first translated by.
	custom   []*route
	customPH []phRoute

	callbackURL     string // dashboard callback URL (payouts, batch VAs, bank transfers)
	verificationURL string // repayment verification (4.6) URL
}

// config is what the options set.
type config struct {
	appID    string
	window   time.Duration
	balance  paycools.Amount
	clock    func() time.Time
	logger   *slog.Logger
	merchant *rsa.PrivateKey
	platform *rsa.PrivateKey
	banks    map[string]bool
	wallets  map[string]bool

	dialect    paycools.Dialect
	envSigning paycools.EnvelopeSigning
	secret     string
	pageSize   int     // statement page size (WithStatementPageSize)
	overlap    int     // records a statement page repeats from the page before (WithStatementOverlap)
	routes     []Route // WithRoute
}

// Option configures a Server in NewServer and NewServerAt.
type Option func(*config)

// WithTimestampWindow sets how far param.timestamp may be from the gateway's clock, in either
// direction, before the gateway answers 21009 (default DefaultTimestampWindow). A window of 0
// or less turns the check off (a missing or unreadable timestamp is still 21008).
func WithTimestampWindow(d time.Duration) Option { return func(c *config) { c.window = d } }

// WithBalance sets the merchant balance the gateway starts with (default DefaultBalance).
// Payouts reduce it; a payout larger than it is answered 21014.
func WithBalance(a paycools.Amount) Option { return func(c *config) { c.balance = a } }

// WithClock sets the gateway's clock (default time.Now). It decides the timestamp window, the
// times the gateway reports and expiries. Server.Client passes the same clock to the client.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithAppID sets the merchant appId the gateway accepts (default: 32 random hex characters).
func WithAppID(appID string) Option { return func(c *config) { c.appID = appID } }

// WithLogger makes the gateway log one line per request (operation, path, code) and per
// callback at Info. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithKeys sets the merchant key pair the gateway trusts and its own platform key pair, instead
// of generating two 2048-bit pairs per server (which costs 50–200 ms). Either may be nil to
// have it generated.
func WithKeys(merchant, platform *rsa.PrivateKey) Option {
	return func(c *config) { c.merchant, c.platform = merchant, platform }
}

// WithTransferCodes adds payout transferCode values the gateway knows, as bank codes
// (payMethodCode BANK) or e-wallet codes (EWALLET). An unknown code is answered 21012 (bank)
// or 21013 (e-wallet). The defaults are in DefaultBankCodes and DefaultWalletCodes.
func WithTransferCodes(banks, wallets []string) Option {
	return func(c *config) {
		for _, b := range banks {
			c.banks[b] = true
		}
		for _, w := range wallets {
			c.wallets[w] = true
		}
	}
}

// DefaultBankCodes are the payout bank codes (transferCode with payMethodCode BANK) a new
// gateway knows. PayCools hands out the real list; these are stand-ins.
var DefaultBankCodes = []string{"BDO", "BPI", "UBP", "MBTC", "LBP", "PNB", "RCBC", "SECB", "CHIB", "AUB", "RHBB"}

// DefaultWalletCodes are the payout e-wallet codes (transferCode with payMethodCode EWALLET) a
// new gateway knows.
var DefaultWalletCodes = []string{"GCASH", "PAYMAYA", "GRABPAY", "SHOPEEPAY", "COINS", "JT"}

// NewServer starts a gateway on a loopback port (127.0.0.1). Call Close when done. It panics
// if it cannot listen or generate keys, as httptest.NewServer does.
func NewServer(opts ...Option) *Server {
	s, err := NewServerAt("127.0.0.1:0", opts...)
	if err != nil {
		panic("paycoolstest: " + err.Error())
	}
	return s
}

// New starts a gateway on a loopback port like NewServer, and registers t.Cleanup(s.Close) so
// that it is closed when the test (or subtest, or benchmark) and its subtests end. It fails the
// test with t.Fatalf, instead of panicking, if it cannot listen or generate keys.
//
//	s := paycoolstest.New(t)
//	c := s.Client()
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := NewServerAt("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("paycoolstest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// NewServerAt starts a gateway listening on addr, e.g. "127.0.0.1:8080" (":0" picks a free
// port). It is what the sandbox command uses. Call Close when done.
func NewServerAt(addr string, opts ...Option) (*Server, error) {
	cfg := config{
		window:  DefaultTimestampWindow,
		balance: DefaultBalance,
		clock:   time.Now,
		logger:  slog.New(slog.DiscardHandler),
		banks:   map[string]bool{},
		wallets: map[string]bool{},
	}
	for _, b := range DefaultBankCodes {
		cfg.banks[b] = true
	}
	for _, w := range DefaultWalletCodes {
		cfg.wallets[w] = true
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	custom, customPH, err := customRoutes(&cfg)
	if err != nil {
		return nil, err
	}
	if cfg.secret == "" {
		if cfg.secret, err = randomSecret(); err != nil {
			return nil, err
		}
	}
	if cfg.appID == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		cfg.appID = hex.EncodeToString(b[:])
	}
	if cfg.merchant == nil {
		if cfg.merchant, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("merchant key: %w", err)
		}
	}
	if cfg.platform == nil {
		if cfg.platform, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("platform key: %w", err)
		}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		custom:   custom,
		customPH: customPH,
		cfg:      cfg,
		listener: l,
		url:      "http://" + l.Addr().String(),
		done:     make(chan struct{}),
		st:       newState(cfg.balance),
		fault:    map[string][]Fault{},
		cbClient: &http.Client{
			Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(cfg.logger.Handler(), slog.LevelDebug)}
	go func() { _ = s.http.Serve(l) }()
	return s, nil
}

// Close stops the gateway: it closes the listener and every connection, interrupts injected
// delays and callback deliveries in progress, and waits for handlers to return.
func (s *Server) Close() {
	s.life.Lock()
	if s.closed {
		s.life.Unlock()
		return
	}
	s.closed = true
	s.life.Unlock()
	close(s.done)
	s.cancel()
	_ = s.http.Close()
	s.inflight.Wait()
	s.cbClient.CloseIdleConnections()
}

// begin counts one handler or background delivery; it reports false once Close has started.
func (s *Server) begin() bool {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// URL is the gateway's base URL, e.g. "http://127.0.0.1:41234", for paycools.WithBaseURL.
func (s *Server) URL() string { return s.url }

// AppID is the merchant appId the gateway accepts.
func (s *Server) AppID() string { return s.cfg.appID }

// MerchantPrivateKey is the merchant's private key, the one the merchant signs requests with
// (the signer given to paycools.NewClient). The gateway checks requests against its public
// half, MerchantPublicKey. It is a test key: never use it outside tests.
func (s *Server) MerchantPrivateKey() *rsa.PrivateKey { return s.cfg.merchant }

// MerchantPublicKey is the public half of MerchantPrivateKey: the key a merchant uploads to
// the PayCools dashboard, and with which the gateway verifies requests. It returns a copy.
func (s *Server) MerchantPublicKey() *rsa.PublicKey { return publicCopy(s.cfg.merchant) }

// PlatformPrivateKey is the gateway's own private platform key. Callbacks and answers are
// signed with it; a real merchant never holds it. It is a test key: never use it outside
// tests.
func (s *Server) PlatformPrivateKey() *rsa.PrivateKey { return s.cfg.platform }

// PlatformPublicKey is the public half of PlatformPrivateKey: the platform public key PayCools
// gives merchants, with which a client verifies callbacks (paycools.WithPlatformPublicKey).
// It returns a copy.
func (s *Server) PlatformPublicKey() *rsa.PublicKey { return publicCopy(s.cfg.platform) }

// publicCopy returns a copy of k's public half, so that a caller changing it cannot change the
// key the gateway uses.
func publicCopy(k *rsa.PrivateKey) *rsa.PublicKey {
	return &rsa.PublicKey{N: new(big.Int).Set(k.N), E: k.E}
}

// Client returns a client ready to talk to this gateway: its appId, merchant key, base URL,
// dialect and envelope signing, platform public key, callback secret and clock (and an appName
// in the PH dialect). opts are appended, so they can override any of these. It
// panics if the client cannot be built (an invalid option).
func (s *Server) Client(opts ...paycools.Option) *paycools.Client {
	base := []paycools.Option{
		paycools.WithBaseURL(s.url),
		paycools.WithDialect(s.Dialect()),
		paycools.WithEnvelopeSigning(s.envSigning()),
		paycools.WithPlatformPublicKey(&s.cfg.platform.PublicKey),
		paycools.WithCallbackSecret(s.cfg.secret),
		paycools.WithClock(s.cfg.clock),
	}
	if s.Dialect() == paycools.DialectPH {
		base = append(base, paycools.WithAppName("paycoolstest"))
	}
	all := append(base, opts...)
	c, err := paycools.NewClient(s.cfg.appID, s.cfg.merchant, all...)
	if err != nil {
		panic("paycoolstest: Client: " + err.Error())
	}
	return c
}

// SetCallbackURL sets the callback URL of the merchant dashboard. It receives the callbacks of
// objects created without a notifyUrl: payouts, virtual accounts made by the batch operations,
// and bank-transfer accounts. Empty (the default) unsets it: such callbacks are then not sent
// but kept in Callbacks as undeliverable (ErrNoCallbackURL), for Redeliver once a URL is set.
func (s *Server) SetCallbackURL(url string) {
	s.mu.Lock()
	s.callbackURL = url
	s.mu.Unlock()
}

// SetRepaymentVerificationURL sets where the gateway asks the repayment verification question
// (payment.verification, doc 4.6) before it collects a payment into a virtual account. Empty
// (the default) means payments are collected without asking.
func (s *Server) SetRepaymentVerificationURL(url string) {
	s.mu.Lock()
	s.verificationURL = url
	s.mu.Unlock()
}

// Balance returns the merchant balance as the gateway holds it now.
func (s *Server) Balance() paycools.Amount {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.balance
}

// SetBalance replaces the merchant balance.
func (s *Server) SetBalance(a paycools.Amount) {
	s.mu.Lock()
	s.st.balance = a
	s.mu.Unlock()
}

// now is the gateway's clock.
func (s *Server) now() time.Time { return s.cfg.clock() }

// nextID returns a new PayCools-style id: prefix followed by digits, at most 32 characters.
// The caller holds s.mu.
func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%d%06d", prefix, s.now().Unix(), s.seq)
}

// ErrNotFound is returned by the outcome methods (CompletePayout, PayQRCode, ...) for an object
// the gateway does not hold.
var ErrNotFound = errors.New("paycoolstest: no such object")

// ErrState is wrapped by the errors of outcome methods that do not fit the object's state: a
// payout that is already final, a cancelled QR code, an expired checkout, ...
var ErrState = errors.New("paycoolstest: not allowed in the object's state")

// ErrRefused is returned by PayVirtualAccount when the merchant's answer to the repayment
// verification question was not an acceptance, so nothing was collected.
var ErrRefused = errors.New("paycoolstest: the merchant refused the repayment verification")

func notFound(kind, id string) error { return fmt.Errorf("%w: %s %q", ErrNotFound, kind, id) }

func badState(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrState, fmt.Sprintf(format, a...))
}

// trimSlash joins base and a path with one slash.
func trimSlash(base, p string) string {
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(p, "/")
}
