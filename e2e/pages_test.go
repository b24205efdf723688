package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

// merchant is the merchant's side of a test: the notify endpoint, built on the client's
// NotificationHandler (so a callback counts only once its signature verified), and the return
// page the payer is sent back to (redirectUrl).
type merchant struct {
	*httptest.Server
	mu       sync.Mutex
	verified int
}

func newMerchant(t *testing.T, c *paycools.Client) *merchant {
	t.Helper()
	m := &merchant{}
	mux := http.NewServeMux()
	mux.Handle("/notify", c.NotificationHandler(func(context.Context, *paycools.Notification) error {
		m.mu.Lock()
		m.verified++
		m.mu.Unlock()
		return nil
	}))
	mux.HandleFunc("/back/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>Merchant</title><main><h1 id="merchant">Thank you</h1></main></html>`)
	})
	m.Server = httptest.NewServer(mux)
	t.Cleanup(m.Close)
	return m
}

func (m *merchant) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.verified
}

// flow is one link the API hands out, and what a payer does on its page.
type flow struct {
	name       string
	id         string
	open       func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error)
	shows      []string // visible on the order page
	pesos      string   // typed into the amount box; "" when the page has none
	outcome    string   // title of the result page
	toMerchant bool     // the result page leads back to the order's redirectUrl
	final      string   // the order page's state afterwards; "" for an account that takes more payments
	button     string   // the button clicked; "" is the primary one (Pay, Approve)
	// status reads the order's state through the API (Get), where it has one.
	status func(ctx context.Context, c *paycools.Client, id, link string) (string, error)
}

// The Get of the families whose state the API reports.
var (
	webStatus = func(ctx context.Context, c *paycools.Client, _, link string) (string, error) {
		wp, err := c.WebPayments.Get(ctx, &paycools.WebPaymentGetParams{TransactionID: path.Base(link), CountryCode: paycools.CountryPH})
		if err != nil {
			return "", err
		}
		return string(wp.TransactionStatus), nil
	}
	checkoutStatus = func(ctx context.Context, c *paycools.Client, id, _ string) (string, error) {
		co, err := c.Checkout.Get(ctx, &paycools.CheckoutGetParams{MchOrderID: id})
		if err != nil {
			return "", err
		}
		return string(co.TransactionStatus), nil
	}
	qrStatus = func(ctx context.Context, c *paycools.Client, id, _ string) (string, error) {
		q, err := c.QRCodes.Get(ctx, &paycools.QRCodeGetParams{MchOrderID: id})
		if err != nil {
			return "", err
		}
		return string(q.TransactionStatus), nil
	}
)

const customer = "Ñoño <script>alert(1)</script>"

// secondButton is the second button of an order page: Fail, Reject.
const secondButton = "form:nth-of-type(2) button"

var flows = []flow{
	{name: "webpayment", id: "WEB1", status: webStatus, outcome: "Paid", toMerchant: true, final: "Paid", shows: []string{"₱500.10", "WEB1", "Juan"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			wp, err := c.WebPayments.Create(ctx, &paycools.WebPaymentCreateParams{
				MchOrderID: id, Amount: 50010, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
				ChannelType: paycools.WebPaymentChannelTypeEWallet, ChannelCode: paycools.WebPaymentChannelCodeGCashURL,
				CustomerName: "Juan", Email: "juan@example.com", Mobile: "09123456789", TerminalType: paycools.TerminalTypeWeb,
				NotifyURL: m.URL + "/notify", RedirectURL: m.URL + "/back/" + id})
			if err != nil {
				return "", err
			}
			return wp.PaymentURL(), nil
		}},
	{name: "checkout-idr", id: "CART7#B", status: checkoutStatus, outcome: "Paid", toMerchant: true, final: "Paid", shows: []string{"Rp 50,000", "CART7#B", customer},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			co, err := c.Checkout.Create(ctx, &paycools.CheckoutCreateParams{
				MchOrderID: id, CountryCode: paycools.CountryID, Currency: paycools.CurrencyIDR, SettlementCurrency: paycools.CurrencyIDR,
				ChannelCodeList: []string{"QRIS_DYNAMIC_QR"}, Amount: 50000, CustomerName: customer,
				Email: "juan@example.com", Mobile: "09171234567", ExpireSeconds: 3600,
				NotifyURL: m.URL + "/notify", RedirectURL: m.URL + "/back/checkout"})
			if err != nil {
				return "", err
			}
			return co.CheckoutURL, nil
		}},
	{name: "authorize", id: "REQ/1#x", outcome: "Approved", toMerchant: true, final: "Approved", shows: []string{"REQ/1#x", "u1"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			a, err := c.DirectDebit.CreateAuthorizationLink(ctx, &paycools.DirectDebitAuthorizationLinkCreateParams{
				RequestID: id, UserID: "u1", ChannelCode: paycools.DirectDebitChannelCodeGCash, CountryCode: paycools.CountryPH,
				TerminalType: paycools.TerminalTypeWeb, NotifyURL: m.URL + "/notify", RedirectURL: m.URL + "/back/auth"})
			if err != nil {
				return "", err
			}
			return a.AuthURL, nil
		}},
	{name: "ekyc", id: "KYC 9%41", outcome: "Approved", toMerchant: true, final: "Approved", shows: []string{"KYC 9%41", "u1"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			e, err := c.EKYC.Init(ctx, &paycools.EKYCInitParams{RequestID: id, UserID: "u1", ChannelCode: "EXAMPLE_EKYC_CHANNEL",
				NotifyURL: m.URL + "/notify", RedirectURL: m.URL + "/back/kyc"})
			if err != nil {
				return "", err
			}
			return e.EKYCURL, nil
		}},
	{name: "qr-dynamic", id: "QR1", status: qrStatus, outcome: "Paid", final: "Paid", shows: []string{"₱150.00", "QR1"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			q, err := c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHDynamicQR, MchOrderID: id,
				Amount: 15000, NotifyURL: m.URL + "/notify", CustomerName: "Juan"})
			if err != nil {
				return "", err
			}
			return q.QRLink, nil
		}},
	{name: "qr-static", id: "QR2", pesos: "500.00", outcome: "Paid", shows: []string{"QR2", "Amount in pesos"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			q, err := c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHStaticQR, MchOrderID: id,
				NotifyURL: m.URL + "/notify", CustomerName: "Juan"})
			if err != nil {
				return "", err
			}
			return q.QRLink, nil
		}},
	{name: "va-guide", id: "LOAN/7", pesos: "1,250.50", outcome: "Paid", shows: []string{"LOAN/7", "Amount in pesos"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			va, err := c.BillsPayment.CreateVirtualAccount(ctx, &paycools.VirtualAccountCreateParams{MchOrderID: id,
				CustomerName: "Juan", ChannelCode: paycools.BillsPaymentChannelCodeGCashStaticVA, NotifyURL: m.URL + "/notify",
				Email: "juan@example.com", Mobile: "09123456789"})
			if err != nil {
				return "", err
			}
			return va.GuideURL, nil
		}},
	{name: "va-cashier", id: "LOAN8", pesos: "200", outcome: "Paid", shows: []string{"LOAN8", "Shop", "Pay via PAYMAYA_STATIC_VA"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			g, err := c.BillsPayment.BatchCreateVirtualAccounts(ctx, &paycools.VirtualAccountBatchCreateParams{AppName: "Shop", MchOrderID: id,
				ChannelCode:  paycools.BillsPaymentChannelCodeList{paycools.BillsPaymentChannelCodeGCashStaticVA, paycools.BillsPaymentChannelCodePayMayaStaticVA},
				CustomerName: "Juan", Email: "juan@example.com", MinAmount: 10000, MaxAmount: 500000})
			if err != nil {
				return "", err
			}
			return g.ShortLink, nil
		}},
	{name: "banktransfer-guide", id: "BT1", pesos: "300.00", outcome: "Paid", shows: []string{"BT1", "Shop", "AllBank"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			g, err := c.BankTransfers.BatchCreateAccounts(ctx, &paycools.BankTransferBatchCreateParams{AppName: "Shop", MchOrderID: id,
				ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc, CustomerName: "Juan"})
			if err != nil {
				return "", err
			}
			return g.PaymentAccountList[0].GuideURL, nil
		}},
	{name: "banktransfer-cashier", id: "BT2", pesos: "300.00", outcome: "Paid", shows: []string{"BT2", "Transfer"},
		open: func(ctx context.Context, c *paycools.Client, m *merchant, id string) (string, error) {
			g, err := c.BankTransfers.BatchCreateAccounts(ctx, &paycools.BankTransferBatchCreateParams{AppName: "Shop", MchOrderID: id,
				ChannelCode: paycools.BankTransferChannelCodeInstaTransferAcc, CustomerName: "Juan"})
			if err != nil {
				return "", err
			}
			return g.ShortLink, nil
		}},
}

// The Fail / Reject buttons of the pages that have them, on the same orders.
func init() {
	outcomes := map[string]string{"webpayment": "Payment failed", "authorize": "Rejected", "ekyc": "Rejected", "qr-dynamic": "Payment failed"}
	for _, f := range flows {
		if outcome, ok := outcomes[f.name]; ok {
			f.name, f.button, f.outcome, f.final = f.name+"-second-button", secondButton, outcome, outcome
			flows = append(flows, f)
		}
	}
}

type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var viewports = []viewport{{"desktop", 1280, 800, false}, {"phone", 390, 844, true}}

// chromium finds the browser: $PAYCOOLS_CHROMIUM, or one on $PATH.
func chromium(t *testing.T) string {
	t.Helper()
	names := []string{os.Getenv("PAYCOOLS_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"}
	for _, n := range names {
		if n == "" {
			continue
		}
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (set PAYCOOLS_CHROMIUM, or apt-get install chromium): the browser test must run in CI")
	}
	t.Skip("no Chromium found (set PAYCOOLS_CHROMIUM, or apt-get install chromium); CI=true makes this a failure")
	return ""
}

func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PAYCOOLS_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// layout is what the phone and accessibility checks read from a page.
type layout struct {
	ClientWidth   int      `json:"clientWidth"`
	ScrollWidth   int      `json:"scrollWidth"`
	FontSize      float64  `json:"fontSize"`
	MinTap        float64  `json:"minTap"`
	Lang          string   `json:"lang"`
	Main          bool     `json:"main"`
	Unlabelled    []string `json:"unlabelled"`
	Scripts       int      `json:"scripts"`
	Text          string   `json:"text"`
	LiveControls  int      `json:"liveControls"`
	FaviconInline bool     `json:"faviconInline"`
}

const layoutJS = `(() => {
  const d = document.documentElement;
  const taps = [...document.querySelectorAll('button, a.button, input:not([type=hidden])')]
    .map(e => e.getBoundingClientRect().height);
  return {
    clientWidth: d.clientWidth, scrollWidth: d.scrollWidth,
    fontSize: parseFloat(getComputedStyle(document.body).fontSize),
    minTap: taps.length ? Math.min(...taps) : 999,
    lang: d.lang, main: !!document.querySelector('main'),
    unlabelled: [...document.querySelectorAll('input:not([type=hidden])')].filter(e => e.labels.length === 0).map(e => e.name),
    scripts: [...document.scripts].filter(s => s.textContent.includes('alert(')).length,
    text: document.body.innerText,
    liveControls: document.querySelectorAll('form button').length,
    faviconInline: !!document.querySelector('link[rel=icon][href^="data:"]'),
  };
})()`

// checkLayout reads the page's layout and fails on a page a phone cannot use.
func checkLayout(t *testing.T, ctx context.Context, vp viewport, what string) layout {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](layoutJS))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if l.ClientWidth != int(vp.width) {
		t.Errorf("%s: laid out %d px wide in a %d px viewport (viewport meta tag?)", what, l.ClientWidth, vp.width)
	}
	if l.ScrollWidth > l.ClientWidth {
		t.Errorf("%s: %d px of content in a %d px viewport: the payer scrolls sideways", what, l.ScrollWidth, l.ClientWidth)
	}
	if l.FontSize < 16 {
		t.Errorf("%s: text is %.1f px", what, l.FontSize)
	}
	if l.MinTap < 44 {
		t.Errorf("%s: a tap target is %.1f px high (at least 44)", what, l.MinTap)
	}
	if l.Lang == "" || !l.Main || len(l.Unlabelled) > 0 || !l.FaviconInline {
		t.Errorf("%s: lang=%q main=%v unlabelled inputs %v inline favicon=%v", what, l.Lang, l.Main, l.Unlabelled, l.FaviconInline)
	}
	if l.Scripts != 0 {
		t.Errorf("%s: %d script elements from a customer name: it was not escaped", what, l.Scripts)
	}
	return l
}

func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// navigate loads link and waits for the page's load event.
func navigate(t *testing.T, ctx context.Context, link string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(link)); err != nil {
		t.Fatalf("open %s: %v", link, err)
	}
}

// clickAndLoad clicks sel and waits for the page it leads to.
func clickAndLoad(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// backTo goes back in the tab's history to the first entry of link, as the payer pressing Back
// does, and waits until that page is shown.
func backTo(t *testing.T, ctx context.Context, link string) {
	t.Helper()
	hist, err := chromedp.Run(ctx, chromedp.NavigationEntries())
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for i, e := range hist.Entries {
		if e.URL == link {
			steps = int(hist.CurrentIndex) - i
			break
		}
	}
	if steps <= 0 {
		t.Fatalf("the order page %s is not behind the current page in the history", link)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("history.go(-%d)", steps))); err != nil {
		t.Fatal(err)
	}
	for {
		// A page restored from the back-forward cache reloads itself (its pageshow handler):
		// wait for a document that came from the server again.
		ready, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.href === `+strconv.Quote(link)+
			` && document.readyState === "complete" && !!document.querySelector("#title")`+
			` && ["reload", "back_forward"].includes(performance.getEntriesByType("navigation")[0].type)`))
		if err == nil && ready {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Back to %s: %v", link, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// callbackNames reports whether a callback's param names the order id.
func callbackNames(param []byte, id string) bool {
	var m map[string]any
	if json.Unmarshal(param, &m) != nil {
		return false
	}
	return m["mchOrderId"] == id || m["requestId"] == id
}

// Every link the API hands out, in both dialects, on a desktop and a phone: the page opens and
// shows the amount, currency form and order; one click sends one callback that verifies and
// names the order; the result page is readable and leads back to the merchant (or the order);
// the order page then shows the final state without live buttons.
func TestPayerPagesInChromium(t *testing.T) {
	exe := chromium(t)
	dir := artifacts(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-component-update", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}

	for _, d := range []paycools.Dialect{paycools.DialectOpenAPI, paycools.DialectPH} {
		for _, vp := range viewports {
			for _, f := range flows {
				name := d.String() + "-" + vp.name + "-" + f.name
				t.Run(name, func(t *testing.T) {
					srv := paycoolstest.New(t, paycoolstest.WithDialect(d))
					c := srv.Client()
					m := newMerchant(t, c)
					srv.SetCallbackURL(m.URL + "/notify") // batch-made VAs and bank transfers use the dashboard URL
					tab, cancel := chromedp.NewContext(browser)
					defer cancel()
					ctx, cancelTimeout := context.WithTimeout(tab, 30*time.Second)
					defer cancelTimeout()
					emulate := chromedp.EmulateViewport(vp.width, vp.height)
					if vp.mobile {
						emulate = chromedp.EmulateViewport(vp.width, vp.height, chromedp.EmulateMobile)
					}
					if err := chromedp.Do(ctx, emulate); err != nil {
						t.Fatal(err)
					}

					link, err := f.open(ctx, c, m, f.id)
					if err != nil {
						t.Fatalf("create: %v", err)
					}
					navigate(t, ctx, link)
					l := checkLayout(t, ctx, vp, "order page")
					for _, s := range f.shows {
						if !strings.Contains(l.Text, s) {
							t.Errorf("order page does not show %q:\n%s", s, l.Text)
						}
					}
					shoot(t, ctx, dir, name+"-1-order")
					if strings.HasPrefix(f.name, "qr") {
						src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const i = document.querySelector("img.qr");
  return i && i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width >= 150 ? i.src : ""; })()`))
						if err != nil || !strings.HasPrefix(src, "data:image/png;base64,") {
							t.Fatalf("no QR image shown (%v)", err)
						}
						if got := scanQR(t, strings.TrimPrefix(src, "data:image/png;base64,")); !strings.Contains(l.Text, got) {
							t.Errorf("the QR image scans to %q, which is not the QR content on the page", got)
						}
					}

					if f.pesos != "" {
						if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("form input[name=pesos]"), strings.ReplaceAll(f.pesos, ",", ""))); err != nil {
							t.Fatal(err)
						}
					}
					before := len(srv.Callbacks())
					verified := m.count()
					button := f.button
					if button == "" {
						button = "form button.primary"
					}
					clickAndLoad(t, ctx, button)
					if got := text(t, ctx, "#title"); got != f.outcome {
						t.Errorf("result page title %q, want %q (%s)", got, f.outcome, text(t, ctx, "main"))
					}
					checkLayout(t, ctx, vp, "result page")
					shoot(t, ctx, dir, name+"-2-result")
					cbs := srv.Callbacks()
					if len(cbs) != before+1 || !callbackNames(cbs[before].Param, f.id) {
						t.Fatalf("one click sent %d callbacks, want 1 naming %q", len(cbs)-before, f.id)
					}
					if m.count() != verified+1 {
						t.Errorf("the merchant verified %d callbacks, want 1", m.count()-verified)
					}
					if f.status != nil {
						want := "COMPLETED"
						if f.button != "" {
							want = "FAILED"
						}
						if got, err := f.status(ctx, c, f.id, link); err != nil || got != want {
							t.Errorf("Get after the click: %q, %v; want %s", got, err, want)
						}
					}
					if !strings.Contains(text(t, ctx, "#callback"), cbs[before].EventName) {
						t.Errorf("the result page does not show the callback %s", cbs[before].EventName)
					}

					clickAndLoad(t, ctx, "#return")
					loc, err := chromedp.Run(ctx, chromedp.Location())
					if err != nil {
						t.Fatal(err)
					}
					switch {
					case f.toMerchant && (!strings.HasPrefix(loc, m.URL+"/back/") || text(t, ctx, "#merchant") != "Thank you"):
						t.Errorf("the return link went to %s, want the order's redirectUrl on %s", loc, m.URL)
					case !f.toMerchant && loc != link && !strings.HasPrefix(loc, srv.URL()+"/guide/"):
						t.Errorf("the return link went to %s, want the order's page %s", loc, link)
					}

					// Back to the order page as the payer first saw it: it shows the order as it
					// is now, not a stale page with live buttons.
					backTo(t, ctx, link)
					if f.final != "" {
						if got := text(t, ctx, "#state"); !strings.HasPrefix(got, f.final) {
							t.Errorf("order page state %q after Back, want %q", got, f.final)
						}
						if l := checkLayout(t, ctx, vp, "final order page"); l.LiveControls != 0 {
							t.Errorf("a final order still has %d buttons", l.LiveControls)
						}
					}
					shoot(t, ctx, dir, name+"-3-after")
				})
			}
		}
	}
}
