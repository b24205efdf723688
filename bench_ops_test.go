//go:build unix

package paycools_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
)

// BenchmarkOps pairs every money-moving create and one query per family with its own minimal
// hand-written twin, in both dialects: the same fields, the same key, the same loopback server
// (benchServer: a fixed success answer). The twin is what a merchant writes without the SDK: a
// plain struct (open-api) or a map (PH flat) of the same fields, json.Marshal or the sorted
// k=v string, SHA-256 + rsa.SignPKCS1v15, base64, POST (or GET with a query), io.ReadAll,
// json.Unmarshal of the envelope, a code check. Each operation has serial/sdk,
// serial/baseline (ns/op, allocs/op) and serial/paired (interleaved; sdk/baseline);
// scripts/bench prints one ratio per operation with the targets (time 1.05, allocs 1.2).
func BenchmarkOps(b *testing.B) {
	key := loadKey(b, "test_merchant_2048_pkcs8.pem")
	platform := &loadKey(b, "test_platform_2048_pkcs1.pem").PublicKey
	srv := benchServer(b)
	ctx := context.Background()
	twin := &opTwin{base: srv.URL, signer: key, http: &http.Client{Transport: newTransport()}}
	open := sdkClient(b, srv.URL, key, platform)
	ph, err := paycools.NewClient(benchAppID, key, paycools.WithBaseURL(srv.URL), paycools.WithDialect(paycools.DialectPH),
		paycools.WithAppName("shop"), paycools.WithHTTPClient(&http.Client{Transport: newTransport()}), paycools.WithPlatformPublicKey(platform))
	if err != nil {
		b.Fatal(err)
	}
	for _, oc := range opCases() {
		b.Run("open-api/"+oc.name, func(b *testing.B) {
			opPair(b,
				func() error { return oc.sdk(ctx, open) },
				func() error { return twin.envelope(ctx, oc.path, oc.open()) })
		})
		if oc.phPath == "" {
			continue
		}
		b.Run("ph/"+oc.name, func(b *testing.B) {
			opPair(b,
				func() error { return oc.sdk(ctx, ph) },
				func() error { return twin.flat(ctx, oc.phMethod, oc.phPath, oc.ph()) })
		})
	}
}

// opPair runs the serial leaves of sideBySide (the allocation counts come from the separate
// runs, the time ratio from the interleaved one).
func opPair(b *testing.B, sdk, baseline func() error) {
	b.Run("serial", func(b *testing.B) {
		b.Run("sdk", serial(sdk))
		b.Run("baseline", serial(baseline))
		b.Run("paired", paired(false, sdk, baseline))
	})
}

type opCase struct {
	name     string
	sdk      func(context.Context, *paycools.Client) error
	path     string                // open-api path
	open     func() any            // the twin's open-api param struct, timestamp set
	phMethod string                // PH method, "" when the PH dialect has no flat form of it
	phPath   string                // PH path
	ph       func() map[string]any // the twin's PH fields (appId added by the twin)
}

func ms() int64 { return time.Now().UnixMilli() }

func opCases() []opCase {
	type payout struct {
		MchOrderID    string `json:"mchOrderId"`
		IdempotencyID string `json:"idempotencyId"`
		Amount        int64  `json:"amount"`
		AccountNo     string `json:"accountNo"`
		AccountName   string `json:"accountName"`
		PayMethodCode string `json:"payMethodCode"`
		TransferCode  string `json:"transferCode"`
		Remark        string `json:"remark"`
		Timestamp     int64  `json:"timestamp"`
	}
	type refund struct {
		MchRefundOrderID      string `json:"mchRefundOrderId"`
		OriginalTransactionID string `json:"originalTransactionId"`
		RefundAmount          int64  `json:"refundAmount"`
		RefundCallbackURL     string `json:"refundCallbackUrl"`
		Timestamp             int64  `json:"timestamp"`
	}
	type webPayment struct {
		MchOrderID   string `json:"mchOrderId"`
		Amount       int64  `json:"amount"`
		CountryCode  string `json:"countryCode"`
		Currency     string `json:"currency"`
		ChannelType  string `json:"channelType"`
		ChannelCode  string `json:"channelCode"`
		CustomerName string `json:"customerName"`
		Email        string `json:"email"`
		Mobile       string `json:"mobile"`
		TerminalType string `json:"terminalType"`
		NotifyURL    string `json:"notifyUrl"`
		RedirectURL  string `json:"redirectUrl"`
		Timestamp    int64  `json:"timestamp"`
	}
	type checkout struct {
		MchOrderID         string `json:"mchOrderId"`
		CountryCode        string `json:"countryCode"`
		Currency           string `json:"currency"`
		SettlementCurrency string `json:"settlementCurrency"`
		Amount             int64  `json:"amount"`
		CustomerName       string `json:"customerName"`
		Email              string `json:"email"`
		Mobile             string `json:"mobile"`
		NotifyURL          string `json:"notifyUrl"`
		RedirectURL        string `json:"redirectUrl"`
		Timestamp          int64  `json:"timestamp"`
	}
	type ddPay struct {
		MchOrderID  string `json:"mchOrderId"`
		Amount      int64  `json:"amount"`
		ChannelCode string `json:"channelCode"`
		PayToken    string `json:"payToken"`
		NotifyURL   string `json:"notifyUrl"`
		Timestamp   int64  `json:"timestamp"`
	}
	type qr struct {
		MchOrderID   string `json:"mchOrderId"`
		ChannelCode  string `json:"channelCode"`
		Amount       int64  `json:"amount"`
		CustomerName string `json:"customerName"`
		NotifyURL    string `json:"notifyUrl"`
		Timestamp    int64  `json:"timestamp"`
	}
	type va struct {
		MchOrderID   string `json:"mchOrderId"`
		ChannelCode  string `json:"channelCode"`
		CustomerName string `json:"customerName"`
		Email        string `json:"email"`
		Mobile       string `json:"mobile"`
		NotifyURL    string `json:"notifyUrl"`
		Timestamp    int64  `json:"timestamp"`
	}
	type byOrder struct {
		MchOrderID  string `json:"mchOrderId"`
		CountryCode string `json:"countryCode,omitempty"`
		Timestamp   int64  `json:"timestamp"`
	}
	type stamp struct {
		Timestamp int64 `json:"timestamp"`
	}
	ok := func(_ any, err error) error { return err }
	return []opCase{
		{name: "PayoutCreate", path: "/open-api/philippines/disbursement/transfer",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.Payouts.Create(ctx, &paycools.PayoutCreateParams{MchOrderID: "PO20241203000001", IdempotencyID: "PO20241203000001",
					Amount: 50010, AccountNo: "09171234567", AccountName: "Juan Dela Cruz", PayMethodCode: paycools.PayMethodEWallet,
					TransferCode: "GCASH", Remark: "salary"}))
			},
			open: func() any {
				return payout{"PO20241203000001", "PO20241203000001", 50010, "09171234567", "Juan Dela Cruz", "EWALLET", "GCASH", "salary", ms()}
			},
			phMethod: "POST", phPath: "/api/v1/payout",
			ph: func() map[string]any {
				return map[string]any{"appName": "shop", "mchOrderId": "PO20241203000001", "idempotencyId": "PO20241203000001", "amount": 50010,
					"accountNo": "09171234567", "accountName": "Juan Dela Cruz", "payMethodCode": "EWALLET", "ewalletCode": "GCASH", "remark": "salary"}
			}},
		{name: "RefundCreate", path: "/open-api/payment/refund",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.Refunds.Create(ctx, &paycools.RefundCreateParams{MchRefundOrderID: "RF20241203000001", OriginalTransactionID: "P1656505190221611009",
					RefundAmount: 5000, RefundCallbackURL: "https://merchant.example/refund"}))
			},
			open: func() any {
				return refund{"RF20241203000001", "P1656505190221611009", 5000, "https://merchant.example/refund", ms()}
			},
			phMethod: "POST", phPath: "/api/payment/refund",
			ph: func() map[string]any {
				return map[string]any{"mchRefundOrderId": "RF20241203000001", "originalTransactionId": "P1656505190221611009", "refundAmount": 5000,
					"refundCallbackUrl": "https://merchant.example/refund"}
			}},
		{name: "WebPaymentCreate", path: "/open-api/payment/generate",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{MchOrderID: "WP20241203000001", Amount: 50010, CountryCode: paycools.CountryPH,
					Currency: paycools.CurrencyPHP, ChannelType: "EWALLET", ChannelCode: "GCASH", CustomerName: "Juan Dela Cruz", Email: "juan@example.com", Mobile: "09171234567", TerminalType: "WEB",
					NotifyURL: "https://merchant.example/notify", RedirectURL: "https://merchant.example/back"}))
			},
			open: func() any {
				return webPayment{"WP20241203000001", 50010, "PH", "PHP", "EWALLET", "GCASH", "Juan Dela Cruz", "juan@example.com", "09171234567", "WEB",
					"https://merchant.example/notify", "https://merchant.example/back", ms()}
			},
			phMethod: "POST", phPath: "/api/v1/payment",
			ph: func() map[string]any {
				return map[string]any{"appName": "shop", "mchOrderId": "WP20241203000001", "amount": 50010, "channelCode": "GCASH", "customerName": "Juan Dela Cruz", "email": "juan@example.com",
					"mobile": "09171234567", "callbackUrl": "https://merchant.example/notify", "redirectUrl": "https://merchant.example/back"}
			}},
		{name: "CheckoutCreate", path: "/open-api/payment/checkout/generate",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.Checkout.Create(ctx, &paycools.CheckoutCreateParams{MchOrderID: "CO20241203000001", CountryCode: paycools.CountryPH,
					Currency: paycools.CurrencyPHP, SettlementCurrency: paycools.CurrencyPHP, Amount: 50010, CustomerName: "Juan Dela Cruz",
					Email: "juan@example.com", Mobile: "09171234567", NotifyURL: "https://merchant.example/notify", RedirectURL: "https://merchant.example/back"}))
			},
			open: func() any {
				return checkout{"CO20241203000001", "PH", "PHP", "PHP", 50010, "Juan Dela Cruz", "juan@example.com", "09171234567",
					"https://merchant.example/notify", "https://merchant.example/back", ms()}
			}},
		{name: "DirectDebitPaymentCreate", path: "/open-api/direct/debit/pay",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.DirectDebit.CreatePayment(ctx, &paycools.DirectDebitPaymentCreateParams{MchOrderID: "DD20241203000001", Amount: 50010,
					ChannelCode: paycools.DirectDebitChannelCodeGCash, PayToken: "TK0123456789", NotifyURL: "https://merchant.example/notify"}))
			},
			open: func() any {
				return ddPay{"DD20241203000001", 50010, "PH_GCASH_DIRECT_DEBIT", "TK0123456789", "https://merchant.example/notify", ms()}
			},
			phMethod: "POST", phPath: "/api/direct/debit/pay",
			ph: func() map[string]any {
				return map[string]any{"appName": "shop", "timestamp": ms(), "mchOrderId": "DD20241203000001", "amount": 50010, "channelCode": "PH_GCASH_DIRECT_DEBIT",
					"payToken": "TK0123456789", "callbackUrl": "https://merchant.example/notify"}
			}},
		{name: "QRCodeCreate", path: "/open-api/qr/generate",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{MchOrderID: "QR20241203000001", ChannelCode: "QRPH_DYNAMIC_QR", Amount: 50010,
					CustomerName: "Juan Dela Cruz", NotifyURL: "https://merchant.example/notify"}))
			},
			open: func() any {
				return qr{"QR20241203000001", "QRPH_DYNAMIC_QR", 50010, "Juan Dela Cruz", "https://merchant.example/notify", ms()}
			},
			phMethod: "POST", phPath: "/api/v1/qrcode",
			ph: func() map[string]any {
				return map[string]any{"appName": "shop", "mchOrderId": "QR20241203000001", "channelCode": "QRPH_DYNAMIC_QR", "amount": 50010,
					"customerName": "Juan Dela Cruz", "callbackUrl": "https://merchant.example/notify"}
			}},
		{name: "VirtualAccountCreate", path: "/open-api/philippines/static/payment/generate",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.BillsPayment.CreateVirtualAccount(ctx, &paycools.VirtualAccountCreateParams{MchOrderID: "VA20241203000001",
					ChannelCode: paycools.BillsPaymentChannelCodeGCashStaticVA, CustomerName: "Juan Dela Cruz", Email: "juan@example.com", Mobile: "09171234567",
					NotifyURL: "https://merchant.example/notify"}))
			},
			open: func() any {
				return va{"VA20241203000001", "GCASH_STATIC_VA", "Juan Dela Cruz", "juan@example.com", "09171234567", "https://merchant.example/notify", ms()}
			},
			phMethod: "POST", phPath: "/api/v1/paymentCode",
			ph: func() map[string]any {
				return map[string]any{"appName": "shop", "mchOrderId": "VA20241203000001", "channelCode": "GCASH_STATIC_VA", "customerName": "Juan Dela Cruz",
					"email": "juan@example.com", "mobile": "09171234567"}
			}},
		{name: "AccountBalance", path: "/open-api/account/balance",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.Account.Balance(ctx, &paycools.AccountBalanceParams{}))
			},
			open:     func() any { return stamp{ms()} },
			phMethod: "GET", phPath: "/api/v1/account/checkBalance",
			ph: func() map[string]any { return map[string]any{} }},
		{name: "PayoutGet", path: "/open-api/disbursement/check",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.Payouts.Get(ctx, &paycools.PayoutGetParams{MchOrderID: "PO20241203000001"}))
			},
			open:     func() any { return byOrder{"PO20241203000001", "PH", ms()} },
			phMethod: "GET", phPath: "/api/v1/payout/check",
			ph: func() map[string]any { return map[string]any{"mchOrderId": "PO20241203000001"} }},
		{name: "QRCodeGet", path: "/open-api/v2/jt/qrcode/detail",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.QRCodes.Get(ctx, &paycools.QRCodeGetParams{MchOrderID: "QR20241203000001"}))
			},
			open:     func() any { return byOrder{MchOrderID: "QR20241203000001", Timestamp: ms()} },
			phMethod: "GET", phPath: "/api/v1/qrcode/detail",
			ph: func() map[string]any { return map[string]any{"mchOrderId": "QR20241203000001"} }},
		{name: "CheckoutGet", path: "/open-api/payment/checkout/query",
			sdk: func(ctx context.Context, c *paycools.Client) error {
				return ok(c.Checkout.Get(ctx, &paycools.CheckoutGetParams{MchOrderID: "CO20241203000001"}))
			},
			open: func() any { return byOrder{MchOrderID: "CO20241203000001", Timestamp: ms()} }},
	}
}

// opTwin is the hand-written client of BenchmarkOps.
type opTwin struct {
	base   string
	signer crypto.Signer
	http   *http.Client
}

func (t *opTwin) sign(msg []byte) (string, error) {
	sum := sha256.Sum256(msg)
	sig, err := t.signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

func (t *opTwin) envelope(ctx context.Context, path string, params any) error {
	param, err := json.Marshal(params)
	if err != nil {
		return err
	}
	sign, err := t.sign(param)
	if err != nil {
		return err
	}
	body, err := json.Marshal(baseEnvelope{AppID: benchAppID, Param: string(param), Sign: sign})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return t.do(req)
}

// flat is the PH flat form: the fields plus appId, sorted, joined as k=v with &, signed; POST
// sends them and sign as a JSON object, GET as the query.
func (t *opTwin) flat(ctx context.Context, method, path string, fields map[string]any) error {
	fields["appId"] = benchAppID
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var msg strings.Builder
	for i, k := range keys {
		if i > 0 {
			msg.WriteByte('&')
		}
		msg.WriteString(k)
		msg.WriteByte('=')
		switch v := fields[k].(type) {
		case string:
			msg.WriteString(v)
		case int:
			msg.WriteString(strconv.Itoa(v))
		case int64:
			msg.WriteString(strconv.FormatInt(v, 10))
		default:
			return fmt.Errorf("field %s: %T", k, v)
		}
	}
	sign, err := t.sign([]byte(msg.String()))
	if err != nil {
		return err
	}
	var req *http.Request
	if method == http.MethodGet {
		q := url.Values{}
		for k, v := range fields {
			q.Set(k, fmt.Sprint(v))
		}
		q.Set("sign", sign)
		req, err = http.NewRequestWithContext(ctx, method, t.base+path+"?"+q.Encode(), nil)
	} else {
		fields["sign"] = sign
		body, merr := json.Marshal(fields)
		if merr != nil {
			return merr
		}
		req, err = http.NewRequestWithContext(ctx, method, t.base+path, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		return err
	}
	return t.do(req)
}

func (t *opTwin) do(req *http.Request) error {
	resp, err := t.http.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	var a struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("HTTP %d: not an envelope: %w", resp.StatusCode, err)
	}
	if a.Code != 10000 && a.Code != 1000 {
		return fmt.Errorf("PayCools %d: %s", a.Code, a.Message)
	}
	return nil
}
