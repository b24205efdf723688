package paycoolstest_test

import (
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/require"
)

// pageFamily makes an order through the SDK and returns the link the API handed out for it.
type pageFamily struct {
	name     string
	reusable bool // takes payments until cancelled or expired (static QR, VA, bank transfer)
	open     func(t *testing.T, c *paycools.Client, notifyURL, id string) (string, error)
}

var pageFamilies = []pageFamily{
	{"web payment payData", false, func(t *testing.T, c *paycools.Client, notifyURL, id string) (string, error) {
		wp, err := c.WebPayments.Create(ctx(t), &paycools.WebPaymentCreateParams{
			MchOrderID: id, Amount: 50010, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
			ChannelType: paycools.WebPaymentChannelTypeEWallet, ChannelCode: paycools.WebPaymentChannelCodeGCashURL,
			CustomerName: "Juan", Email: "juan@example.com", Mobile: "09123456789", TerminalType: paycools.TerminalTypeWeb,
			NotifyURL: notifyURL, RedirectURL: "https://merchant.example/back"})
		if err != nil {
			return "", err
		}
		return wp.PaymentURL(), nil
	}},
	{"checkoutUrl", false, func(t *testing.T, c *paycools.Client, notifyURL, id string) (string, error) {
		p := checkoutParams(id)
		p.NotifyURL = notifyURL
		co, err := c.Checkout.Create(ctx(t), p)
		if err != nil {
			return "", err
		}
		return co.CheckoutURL, nil
	}},
	{"authUrl", false, func(t *testing.T, c *paycools.Client, notifyURL, id string) (string, error) {
		a, err := c.DirectDebit.CreateAuthorizationLink(ctx(t), &paycools.DirectDebitAuthorizationLinkCreateParams{
			RequestID: id, UserID: "u1", ChannelCode: paycools.DirectDebitChannelCodeGCash, CountryCode: paycools.CountryPH,
			TerminalType: paycools.TerminalTypeWeb, NotifyURL: notifyURL, RedirectURL: "https://merchant.example/back"})
		if err != nil {
			return "", err
		}
		return a.AuthURL, nil
	}},
	{"ekycUrl", false, func(t *testing.T, c *paycools.Client, notifyURL, id string) (string, error) {
		e, err := c.EKYC.Init(ctx(t), &paycools.EKYCInitParams{RequestID: id, UserID: "u1", ChannelCode: "EXAMPLE_EKYC_CHANNEL",
			NotifyURL: notifyURL, RedirectURL: "https://merchant.example/kyc"})
		if err != nil {
			return "", err
		}
		return e.EKYCURL, nil
	}},
	{"dynamic qrLink", false, func(t *testing.T, c *paycools.Client, notifyURL, id string) (string, error) {
		q, err := c.QRCodes.Create(ctx(t), &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHDynamicQR, MchOrderID: id,
			Amount: 15000, NotifyURL: notifyURL, CustomerName: "Juan"})
		if err != nil {
			return "", err
		}
		return q.QRLink, nil
	}},
	{"static qrLink", true, func(t *testing.T, c *paycools.Client, notifyURL, id string) (string, error) {
		q, err := c.QRCodes.Create(ctx(t), &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHStaticQR, MchOrderID: id,
			NotifyURL: notifyURL, CustomerName: "Juan"})
		if err != nil {
			return "", err
		}
		return q.QRLink, nil
	}},
	{"virtual account guideUrl", true, func(t *testing.T, c *paycools.Client, notifyURL, id string) (string, error) {
		va, err := c.BillsPayment.CreateVirtualAccount(ctx(t), &paycools.VirtualAccountCreateParams{MchOrderID: id,
			CustomerName: "Juan", ChannelCode: paycools.BillsPaymentChannelCodeGCashStaticVA, NotifyURL: notifyURL,
			Email: "juan@example.com", Mobile: "09123456789"})
		if err != nil {
			return "", err
		}
		return va.GuideURL, nil
	}},
	{"virtual account cashier shortLink", true, func(t *testing.T, c *paycools.Client, _, id string) (string, error) {
		g, err := c.BillsPayment.BatchCreateVirtualAccounts(ctx(t), &paycools.VirtualAccountBatchCreateParams{AppName: "Shop", MchOrderID: id,
			ChannelCode:  paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA, paycools.BillsPaymentChannelCodePayMayaStaticVA},
			CustomerName: "Juan", Email: "juan@example.com"})
		if err != nil {
			return "", err
		}
		return g.ShortLink, nil
	}},
	{"bank transfer guideUrl", true, func(t *testing.T, c *paycools.Client, _, id string) (string, error) {
		g, err := c.BankTransfers.BatchCreateAccounts(ctx(t), &paycools.BankTransferBatchCreateParams{AppName: "Shop", MchOrderID: id,
			ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc, CustomerName: "Juan"})
		if err != nil {
			return "", err
		}
		require.NotEmpty(t, g.PaymentAccountList)
		return g.PaymentAccountList[0].GuideURL, nil
	}},
	{"bank transfer shortLink", true, func(t *testing.T, c *paycools.Client, _, id string) (string, error) {
		g, err := c.BankTransfers.BatchCreateAccounts(ctx(t), &paycools.BankTransferBatchCreateParams{AppName: "Shop", MchOrderID: id,
			ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc, CustomerName: "Juan"})
		if err != nil {
			return "", err
		}
		return g.ShortLink, nil
	}},
}

// roundTripIDs are ids the contract allows (1–32 characters) that a URL changes unless they
// are escaped, each with the id that a page acting on the unescaped text would settle.
var roundTripIDs = []struct{ id, decoy string }{
	{"CART7#B", "CART7"},
	{"CART8?x=1", "CART8"},
	{"CART9%41", "CART9A"},
	{"A/B", "A"},
	{"P+Q R", "P Q R"},
	{"Ñoño-ü", "N"},
	{"ORDER42", "ORDER4"}, // every family's contract allows this one
}

var formRE = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)

// firstForm is the action and values of the first form of a page, as a browser would post it.
func firstForm(t *testing.T, base, body string) (string, url.Values) {
	t.Helper()
	m := formRE.FindStringSubmatch(body)
	require.NotNil(t, m, "no form on the page:\n%s", body)
	v := url.Values{}
	for _, in := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(m[2], -1) {
		v.Set(in[1], html.UnescapeString(in[2]))
	}
	if strings.Contains(m[2], `name="pesos"`) {
		v.Set("pesos", "150.00")
	}
	return base + html.UnescapeString(m[1]), v
}

func getPage(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// callbackID is the order id (mchOrderId, or requestId) a callback's param names.
func callbackID(t *testing.T, param []byte) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(param, &m), "%s", param)
	if id, ok := m["mchOrderId"].(string); ok {
		return id
	}
	id, _ := m["requestId"].(string)
	return id
}

// Every id the contract allows round-trips through every link the API hands out, the page it
// opens and the control route its button posts to: the click settles that order, sends one
// callback that verifies and names it, leaves the order whose id is the unescaped prefix
// alone, and a second click is refused.
func TestPagesSettleTheOrderOfAnyID(t *testing.T) {
	for _, d := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
		for _, f := range pageFamilies {
			t.Run(d.String()+"/"+f.name, func(t *testing.T) {
				s, c := gateway(t, paycoolstest.WithDialect(d))
				notify := newSink(t, c)
				s.SetCallbackURL(notify.URL)
				exercised := 0
				for _, tc := range roundTripIDs {
					link, err := f.open(t, c, notify.URL, tc.id)
					var invalid *paycools.ValidationError
					if errors.As(err, &invalid) && invalid.Has("mchOrderId") {
						// This family's contract allows letters and digits only: the SDK
						// refuses the id before anything is sent.
						require.Empty(t, s.Requests(), "%s: refused before sending", tc.id)
						continue
					}
					require.NoError(t, err, tc.id)
					decoy, err := f.open(t, c, notify.URL, tc.decoy)
					require.NoError(t, err, tc.decoy)
					exercised++
					require.True(t, strings.HasPrefix(link, s.URL()+"/"), link)

					status, body := getPage(t, link)
					require.Equal(t, http.StatusOK, status, "%s: %s\n%s", tc.id, link, body)
					require.Contains(t, html.UnescapeString(body), tc.id, "the page shows the order id")
					action, values := firstForm(t, s.URL(), body)

					before, events := len(s.Callbacks()), notify.count()
					resp, err := http.PostForm(action, values)
					require.NoError(t, err)
					resp.Body.Close()
					require.Equal(t, http.StatusOK, resp.StatusCode, "%s: POST %s", tc.id, action)
					cbs := s.Callbacks()
					require.Len(t, cbs, before+1, "%s: one callback per click", tc.id)
					require.Equal(t, tc.id, callbackID(t, cbs[before].Param), "%s: the callback names the order clicked", tc.id)
					require.Equal(t, events+1, notify.count(), "%s: the callback verifies", tc.id)

					_, decoyBody := getPage(t, decoy)
					require.Contains(t, decoyBody, "<form", "%s: %s must stay open", tc.id, tc.decoy)
					if f.reusable {
						continue
					}
					_, body = getPage(t, link)
					require.NotContains(t, body, "<form", "%s: a settled order has no live buttons", tc.id)
					resp, err = http.PostForm(action, values)
					require.NoError(t, err)
					resp.Body.Close()
					require.Equal(t, http.StatusConflict, resp.StatusCode, "%s: a second click is refused", tc.id)
					require.Len(t, s.Callbacks(), before+1, "%s: a refused click sends nothing", tc.id)
				}
				require.NotZero(t, exercised)
				t.Logf("%d of %d ids allowed by the %s contract", exercised, len(roundTripIDs), f.name)
			})
		}
	}
}

func (k *sink) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.events)
}

// In the PH dialect a single virtual account has no notifyUrl field: its callbacks go to the
// dashboard URL. Made before that URL is set, the refusal says what to set, naming the route,
// instead of blaming a "notifyUrl" the request cannot carry.
func TestPHVirtualAccountWithoutDashboardURLSaysWhatToSet(t *testing.T) {
	s, c := gateway(t, paycoolstest.WithDialect(paycools.DialectPH))
	_, err := c.BillsPayment.CreateVirtualAccount(ctx(t), &paycools.VirtualAccountCreateParams{MchOrderID: "VA1",
		CustomerName: "Juan", ChannelCode: paycools.BillsPaymentChannelCodeGCashStaticVA, Email: "juan@example.com", Mobile: "09123456789"})
	var ae *paycools.APIError
	require.ErrorAs(t, err, &ae)
	require.NotContains(t, ae.Message, "notifyUrl is required")
	require.Contains(t, ae.Message, "no dashboard callback URL is set: set it with POST "+s.URL()+"/sandbox/callback-url")

	s.SetCallbackURL("http://127.0.0.1:1/notify")
	_, err = c.BillsPayment.CreateVirtualAccount(ctx(t), &paycools.VirtualAccountCreateParams{MchOrderID: "VA1",
		CustomerName: "Juan", ChannelCode: paycools.BillsPaymentChannelCodeGCashStaticVA, Email: "juan@example.com", Mobile: "09123456789"})
	require.NoError(t, err)
}

// The pages name the merchant as the request did (appName; the PH dialect sends it with web
// payments and QR codes), on the order page and on the result page.
func TestPagesShowTheAppName(t *testing.T) {
	s, _ := gateway(t, paycoolstest.WithDialect(paycools.DialectPH))
	c := s.Client(paycools.WithAppName("Sari-sari Store"))
	notify := newSink(t, c)
	link, err := pageFamilies[0].open(t, c, notify.URL, "APP1")
	require.NoError(t, err)
	_, body := getPage(t, link)
	require.Contains(t, body, `<p class="merchant">Sari-sari Store</p>`)
	action, values := firstForm(t, s.URL(), body)
	resp, err := http.PostForm(action, values)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Contains(t, string(b), `<p class="merchant">Sari-sari Store</p>`)
}
