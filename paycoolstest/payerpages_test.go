package paycoolstest

import (
	"bytes"
	"encoding/base64"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/stretchr/testify/require"
)

// postPage presses a page's button: a form post with html=1, as the browser sends it.
func postPage(t *testing.T, s *Server, path string, form url.Values) (int, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("html", "1")
	resp, err := http.PostForm(s.URL()+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func coFields(id, notify, currency string, amount int) map[string]any {
	country := "PH"
	if currency == "IDR" {
		country = "ID"
	}
	return map[string]any{
		"mchOrderId": id, "countryCode": country, "currency": currency, "settlementCurrency": currency,
		"channelCodeList": []string{"PH_GCASH_QR"}, "amount": amount, "customerName": "Ñoño <script>alert(1)</script>",
		"email": "juan@example.com", "mobile": "09171234567", "remark": "table <b>3</b>",
		"expireSeconds": 60, "notifyUrl": notify, "redirectUrl": "https://merchant.example/o/" + id,
	}
}

func TestMoneyIsShownInTheCurrencysOwnForm(t *testing.T) {
	for _, tc := range []struct {
		a        paycools.Amount
		currency string
		want     string
	}{
		{50010, "PHP", "₱500.10"},
		{123456789, "PHP", "₱1,234,567.89"},
		{5, "PHP", "₱0.05"},
		{50000, "IDR", "Rp 50,000"}, // whole rupiah: not 500.00
		{1000000, "IDR", "Rp 1,000,000"},
		{12345, "MYR", "RM 123.45"},
		{-150, "THB", "-฿1.50"},
		{100, "RUB", "1.00 RUB"},
	} {
		require.Equal(t, tc.want, money(tc.a, tc.currency), "%d %s", tc.a, tc.currency)
	}
}

// A checkout page a phone can use: viewport, language, landmark, the amount in the currency's
// form, names escaped, no favicon 404; after the click a readable result page that leads back
// to the redirectUrl, with the callback and the reply, and a shortened signature.
func TestCheckoutPageAndResultPage(t *testing.T) {
	s := newTestServer(t)
	m := newMerchant(t)
	link := ok(t, do(t, s, coCreatePath, coFields("IDR1", m.URL, "IDR", 50000))).str(t, "checkoutUrl")

	status, body := fetchPage(t, link)
	require.Equal(t, 200, status)
	for _, want := range []string{`<html lang="en">`, `<meta name="viewport" content="width=device-width, initial-scale=1">`,
		"<main>", `<link rel="icon" href="data:,">`, "Rp 50,000", "IDR1",
		"Ñoño &lt;script&gt;alert(1)&lt;/script&gt;", "table &lt;b&gt;3&lt;/b&gt;"} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "500.00")
	require.NotContains(t, body, "<script>alert")
	require.Contains(t, body, "POST "+s.URL()+"/sandbox/pay-checkout/IDR1", "the page names its control routes")
	resp, err := http.Get(s.URL() + "/favicon.ico")
	require.NoError(t, err)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300)

	status, body = postPage(t, s, "/sandbox/pay-checkout/IDR1", nil)
	require.Equal(t, 200, status)
	require.Contains(t, body, `<h1 id="title">Paid</h1>`)
	require.Contains(t, body, `href="https://merchant.example/o/IDR1">Back to the merchant</a>`)
	require.Contains(t, body, "checkout.payment.success")
	require.Contains(t, body, "HTTP 200, acknowledged")
	require.Contains(t, body, "&#34;code&#34;:10000", "the merchant's reply")
	require.Contains(t, body, "&#34;mchOrderId&#34;: &#34;IDR1&#34;", "the param, indented")
	require.NotContains(t, body, "map[", "no Go dump")
	cbs := s.Callbacks()
	require.Len(t, cbs, 1)
	require.NotContains(t, body, cbs[0].Sign, "never a full signature")

	// Pressing Pay again (a double click, or Back and Pay): refused, nothing sent.
	status, body = postPage(t, s, "/sandbox/pay-checkout/IDR1", nil)
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, body, "Nothing was done")
	require.Len(t, s.Callbacks(), 1)

	// The order page now shows the final state, with no live buttons.
	_, body = fetchPage(t, link)
	require.Contains(t, body, `<p class="state" id="state" role="status">Paid</p>`)
	require.NotContains(t, body, "<form")
}

// Finished orders show their final state and no buttons: expired, failed, a used dynamic QR.
func TestFinishedOrdersHaveNoButtons(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}
	s := newTestServer(t, WithClock(clock.now))
	m := newMerchant(t)

	link := ok(t, do(t, s, coCreatePath, coFields("EXP1", m.URL, "PHP", 50010))).str(t, "checkoutUrl")
	_, body := fetchPage(t, link)
	require.Contains(t, body, "₱500.10")
	require.Contains(t, body, "<form")
	clock.add(61 * time.Second)
	_, body = fetchPage(t, link)
	require.Contains(t, body, `id="state" role="status">Expired</p>`)
	require.NotContains(t, body, "<form")

	web := ok(t, do(t, s, webCreatePath, webFields("W1", m.URL))).str(t, "payData")
	_, err := s.FailWebPayment("W1", -10004, "rejected")
	require.NoError(t, err)
	_, body = fetchPage(t, web)
	require.Contains(t, body, `role="status">Payment failed</p>`)
	require.NotContains(t, body, "<form")

	qr := ok(t, do(t, s, qrCreatePath, map[string]any{"channelCode": "QRPH_DYNAMIC_QR", "mchOrderId": "Q1", "amount": 15000,
		"notifyUrl": m.URL, "customerName": "Raja"})).str(t, "qrLink")
	_, err = s.PayQRCode("Q1", 15000)
	require.NoError(t, err)
	_, body = fetchPage(t, qr)
	require.Contains(t, body, "Paid (this QR code takes one payment)")
	require.NotContains(t, body, "<form")
}

// Amount boxes take pesos as a payer types them; a bad value is a message on the page, and
// nothing is paid.
func TestAmountBoxTakesPesos(t *testing.T) {
	s := newTestServer(t)
	m := newMerchant(t)
	guide := ok(t, do(t, s, vaCreatePath, vaFields("VA1", m.URL))).str(t, "guideUrl")
	_, body := fetchPage(t, guide)
	require.Regexp(t, regexp.MustCompile(`<label for="amount0">Amount in pesos</label>\s*<input id="amount0" name="pesos"`), body)
	require.Contains(t, body, "any amount above ₱0.00", "the limits")

	for _, bad := range []string{"abc", "5.001", "0", "-3"} {
		status, body := postPage(t, s, "/sandbox/pay-virtual-account/VA1", url.Values{"channel": {"GCASH_STATIC_VA"}, "pesos": {bad}})
		require.Equal(t, http.StatusBadRequest, status, bad)
		require.Contains(t, body, "Enter the amount in pesos", bad)
		require.NotContains(t, body, `{"error"`, "not raw JSON")
	}
	require.Empty(t, s.Callbacks(), "a refused amount pays nothing")

	status, body := postPage(t, s, "/sandbox/pay-virtual-account/VA1", url.Values{"channel": {"GCASH_STATIC_VA"}, "pesos": {"500.10"}})
	require.Equal(t, 200, status, body)
	require.Contains(t, body, "&#34;amount&#34;: 50010", "500.10 pesos are 50010 centavos")
}

// An unknown id is a 404 page in HTML, not JSON.
func TestUnknownPageIsAnHTMLNotFound(t *testing.T) {
	s := newTestServer(t)
	for _, p := range []string{"/pay/NOPE", "/checkout/NOPE", "/authorize/NO%2FPE", "/qr/NOPE", "/guide/va/NOPE/GCASH_STATIC_VA", "/s/0000000"} {
		resp, err := http.Get(s.URL() + p)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode, p)
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"), p)
	}
	status, body := postPage(t, s, "/sandbox/pay-checkout/NOPE", nil)
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, body, "Not found")
}

// A callback with nowhere to go: the result page says what to set, naming the HTTP routes.
func TestResultPageNamesTheControlRoutes(t *testing.T) {
	s := newTestServer(t)
	ok(t, do(t, s, vaBatchPath, map[string]any{"appName": "Shop", "mchOrderId": "B1", "channelCode": "GCASH_STATIC_VA",
		"customerName": "Juan", "email": "juan@example.com"}))
	status, body := postPage(t, s, "/sandbox/pay-virtual-account/B1", url.Values{"channel": {"GCASH_STATIC_VA"}, "pesos": {"100"}})
	require.Equal(t, 200, status)
	require.Contains(t, body, "POST "+s.URL()+"/sandbox/callback-url")
	require.Contains(t, body, "POST "+s.URL()+"/sandbox/redeliver/0")
	require.NotContains(t, body, "SetCallbackURL")
}

// The QR page shows a QR image of the content: a PNG of a square symbol of a version that holds
// it, with the three finder patterns. (e2e scans it with a decoder; paycoolstest stays free of
// one.)
func TestQRPageShowsAQRImage(t *testing.T) {
	s := newTestServer(t)
	m := newMerchant(t)
	link := ok(t, do(t, s, qrCreatePath, map[string]any{"channelCode": "QRPH_DYNAMIC_QR", "mchOrderId": "QIMG1", "amount": 15000,
		"notifyUrl": m.URL, "customerName": "Raja"})).str(t, "qrLink")
	_, body := fetchPage(t, link)
	mm := regexp.MustCompile(`<img class="qr" src="data:image/png;base64,([^"]+)" alt="[^"]+">`).FindStringSubmatch(body)
	require.NotNil(t, mm, body)
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(mm[1]))
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(raw))
	require.NoError(t, err)
	const scale, quiet = 4, 4
	side := img.Bounds().Dx()
	require.Equal(t, side, img.Bounds().Dy())
	modules := side/scale - 2*quiet
	require.Zero(t, (modules-17)%4, "a QR symbol is 17+4v modules wide")
	require.Greater(t, modules, 21)
	dark := func(x, y int) bool {
		r, _, _, _ := img.At((x+quiet)*scale+1, (y+quiet)*scale+1).RGBA()
		return r < 0x8000
	}
	for _, c := range [][2]int{{0, 0}, {modules - 7, 0}, {0, modules - 7}} {
		for d := range 7 {
			require.True(t, dark(c[0]+d, c[1]), "finder at %v", c)       // top edge
			require.True(t, dark(c[0]+3, c[1]+3), "finder centre %v", c) // centre
			require.False(t, dark(c[0]+1, c[1]+1), "finder ring %v", c)
		}
	}
	require.Empty(t, qrDataURL(strings.Repeat("x", 300)), "more than version 10 holds: no image")
}

// An amount outside a VA's limits: the page showed the limits in pesos, and the refusal says
// them in pesos too, not only in centavos.
func TestAmountOutsideTheLimitsIsExplainedInPesos(t *testing.T) {
	s := newTestServer(t)
	m := newMerchant(t)
	s.SetCallbackURL(m.URL)
	link := ok(t, do(t, s, vaBatchPath, map[string]any{"appName": "Shop", "mchOrderId": "LIM1", "channelCode": "GCASH_STATIC_VA",
		"customerName": "Juan", "email": "juan@example.com", "minAmount": 20000, "maxAmount": 500000})).str(t, "shortLink")
	_, body := fetchPage(t, link)
	require.Contains(t, body, "from ₱200.00 to ₱5,000.00")
	require.Contains(t, body, "Shop", "the app name")
	status, body := postPage(t, s, "/sandbox/pay-virtual-account/LIM1", url.Values{"channel": {"GCASH_STATIC_VA"}, "pesos": {"100.00"}})
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, body, "₱100.00")
	require.Contains(t, body, "from ₱200.00 to ₱5,000.00")
	require.Empty(t, s.Callbacks())
}
