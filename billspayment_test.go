package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --- helpers shared by the bills-payment and bank-transfer tests (prefixed va to keep the
// package's test namespace free for other families) ---

// --- full params values ---

func fullCreateVirtualAccountParams() *VirtualAccountCreateParams {
	return &VirtualAccountCreateParams{
		MchOrderID:   "Platform0000058",
		CustomerName: "user01",
		ChannelCode:  BillsPaymentChannelCodeGCashStaticVA,
		NotifyURL:    "https://test.com/notify?a=1&b=2",
		Email:        "Platform@gmail.com",
		Mobile:       "09123456789",
		Remark:       "loan 42",
	}
}

func fullBatchCreateVirtualAccountsParams() *VirtualAccountBatchCreateParams {
	return &VirtualAccountBatchCreateParams{
		AppName:      "Test",
		MchOrderID:   "CCP2022111405068111",
		ChannelCode:  BillsPaymentChannelCodeList{BillsPaymentChannelCodeGCashStaticVA, BillsPaymentChannelCodePayMayaStaticVA},
		CustomerName: "user01",
		Email:        "Platform@gmail.com",
		MinAmount:    20000,
		MaxAmount:    5000000,
		Mobile:       "09123456789",
		ExpireTime:   "2026-05-26",
		Description:  "monthly bill",
	}
}

func fullUpdateVirtualAccountParams() *VirtualAccountUpdateParams {
	return &VirtualAccountUpdateParams{
		MchOrderID:  "CCP2022111405068111",
		ChannelCode: BillsPaymentChannelCodeList{BillsPaymentChannelCodeGCashStaticVA, BillsPaymentChannelCodePayMayaStaticVA},
	}
}

func fullCashierURLParams() *VirtualAccountCashierURLParams {
	return &VirtualAccountCashierURLParams{MchOrderID: "CCP2022111405068111"}
}

func fullVirtualAccountPaymentsParams() *VirtualAccountListPaymentsParams {
	return &VirtualAccountListPaymentsParams{MchOrderID: "TestMchOrderIdP0001", StartDate: "2023-01-02", EndDate: "2023-01-03"}
}

func fullCancelVirtualAccountParams() *VirtualAccountCancelParams {
	return &VirtualAccountCancelParams{MchOrderID: "CCP2023020602068111", ChannelCode: BillsPaymentChannelCodeRDPStaticVA}
}

// --- method, path and the exact set of param names ---

func TestBillsPaymentMethodPathAndParamNames(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		method string
		path   string
		data   string
		call   func(*Client) error
		keys   []string
	}{
		{"CreateVirtualAccount", "POST", "/open-api/philippines/static/payment/generate", `{}`,
			func(c *Client) error {
				_, err := c.BillsPayment.CreateVirtualAccount(ctx, fullCreateVirtualAccountParams())
				return err
			},
			[]string{"mchOrderId", "customerName", "channelCode", "notifyUrl", "email", "mobile", "remark", "timestamp"}},
		{"BatchCreateVirtualAccounts", "POST", "/api/v1/batch/paymentCode", `{}`,
			func(c *Client) error {
				_, err := c.BillsPayment.BatchCreateVirtualAccounts(ctx, fullBatchCreateVirtualAccountsParams())
				return err
			},
			[]string{"appName", "mchOrderId", "channelCode", "customerName", "email", "minAmount", "maxAmount", "mobile", "expireTime", "description", "timestamp"}},
		{"UpdateVirtualAccount", "POST", "/api/v1/batch/paymentCode/CCP2022111405068111/update", `{}`,
			func(c *Client) error {
				_, err := c.BillsPayment.UpdateVirtualAccount(ctx, fullUpdateVirtualAccountParams())
				return err
			},
			[]string{"mchOrderId", "channelCode", "timestamp"}},
		{"CashierURL", "POST", "/api/v1/paymentCode/cashier", `{}`,
			func(c *Client) error {
				_, err := c.BillsPayment.CashierURL(ctx, fullCashierURLParams())
				return err
			},
			[]string{"mchOrderId", "timestamp"}},
		{"ListPayments", "POST", "/open-api/static/payment/code/payments", `[]`,
			func(c *Client) error {
				_, err := c.BillsPayment.ListPayments(ctx, fullVirtualAccountPaymentsParams())
				return err
			},
			[]string{"mchOrderId", "startDate", "endDate", "timestamp"}},
		{"CancelVirtualAccount", "POST", "/open-api/philippines/static/code/cancel", `{}`,
			func(c *Client) error {
				_, err := c.BillsPayment.CancelVirtualAccount(ctx, fullCancelVirtualAccountParams())
				return err
			},
			[]string{"mchOrderId", "channelCode", "timestamp"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData(tc.method, tc.path, tc.data)
			require.NoError(t, tc.call(f.Client))
			require.Len(t, f.requests(), 1)
			got := f.last()
			assert.Equal(t, tc.method, got.Method)
			assert.Equal(t, tc.path, got.Path)
			assert.Equal(t, sortedNames(tc.keys...), paramKeys(got))
			assert.Equal(t, json.Number("1726139239000"), got.Param["timestamp"], "the clock fills timestamp in ms")
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
		})
	}
}

// The doc examples of 4.1, 4.2 and 4.3, with their timestamps: the param sent is the example
// byte for byte (the list is one comma-joined string, amounts are integers).
func TestBillsPaymentDocExamplesByteForByte(t *testing.T) {
	ctx := context.Background()
	t.Run("4.1", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", "/open-api/philippines/static/payment/generate", `{}`)
		_, err := f.Client.BillsPayment.CreateVirtualAccount(ctx, &VirtualAccountCreateParams{
			MchOrderID: "Platform0000058", CustomerName: "user01", ChannelCode: "GCASH_STATIC_VA",
			NotifyURL: "https://test.com", Email: "Platform@gmail.com", Mobile: "09123456789", RequestFields: RequestFields{Timestamp: 1679451632737},
		})
		require.NoError(t, err)
		assert.Equal(t, `{"mchOrderId":"Platform0000058","customerName":"user01","channelCode":"GCASH_STATIC_VA","notifyUrl":"https://test.com","email":"Platform@gmail.com","mobile":"09123456789","timestamp":1679451632737}`, f.last().Env.Param)
	})
	t.Run("4.2", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", "/api/v1/batch/paymentCode", `{}`)
		_, err := f.Client.BillsPayment.BatchCreateVirtualAccounts(ctx, &VirtualAccountBatchCreateParams{
			AppName: "Test", MchOrderID: "CCP2022111405068111",
			ChannelCode:  BillsPaymentChannelCodeList{"GCASH_STATIC_VA", "PAYMAYA_STATIC_VA"},
			CustomerName: "user01", Email: "Platform@gmail.com", MinAmount: 20000, MaxAmount: 5000000,
			Mobile: "09123456789", RequestFields: RequestFields{Timestamp: 1678356680000},
		})
		require.NoError(t, err)
		assert.Equal(t, `{"appName":"Test","mchOrderId":"CCP2022111405068111","channelCode":"GCASH_STATIC_VA,PAYMAYA_STATIC_VA","customerName":"user01","email":"Platform@gmail.com","minAmount":20000,"maxAmount":5000000,"mobile":"09123456789","timestamp":1678356680000}`, f.last().Env.Param)
	})
	t.Run("4.3", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", "/api/v1/batch/paymentCode/CCP2022111405068111/update", `{}`)
		p := fullUpdateVirtualAccountParams()
		p.Timestamp = 1678356680000
		_, err := f.Client.BillsPayment.UpdateVirtualAccount(ctx, p)
		require.NoError(t, err)
		got := f.last()
		assert.Equal(t, "/api/v1/batch/paymentCode/CCP2022111405068111/update", got.Path)
		assert.Equal(t, `{"mchOrderId":"CCP2022111405068111","channelCode":"GCASH_STATIC_VA,PAYMAYA_STATIC_VA","timestamp":1678356680000}`, got.Env.Param)
	})
}

// A WithEndpoint override of 4.3 may carry the same placeholder; the id is path-escaped.
func TestUpdateVirtualAccountPlaceholderOverride(t *testing.T) {
	f := newFakeAPI(t, WithEndpoint(OpBillsPaymentUpdateVirtualAccount, "POST", "/tenant/va/{mchOrderId}/channels"))
	// The responder matches only the escaped form: an unescaped "/" would be another path.
	f.replyData("POST", "/tenant/va/CCP%201%2F2/channels", `{}`)
	p := fullUpdateVirtualAccountParams()
	p.MchOrderID = "CCP 1/2"
	_, err := f.Client.BillsPayment.UpdateVirtualAccount(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "/tenant/va/CCP 1/2/channels", got.Path)
	assert.Equal(t, "CCP 1/2", got.Param["mchOrderId"], "mchOrderId stays in param")
}

// --- validation ---

func TestBillsPaymentValidation(t *testing.T) {
	ctx := context.Background()
	long := func(n int) string { return strings.Repeat("a", n) }
	type vcase struct {
		name  string
		field string
		call  func(*Client) error
	}
	create := func(mut func(*VirtualAccountCreateParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullCreateVirtualAccountParams()
			mut(p)
			_, err := c.BillsPayment.CreateVirtualAccount(ctx, p)
			return err
		}
	}
	batch := func(mut func(*VirtualAccountBatchCreateParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullBatchCreateVirtualAccountsParams()
			mut(p)
			_, err := c.BillsPayment.BatchCreateVirtualAccounts(ctx, p)
			return err
		}
	}
	update := func(mut func(*VirtualAccountUpdateParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullUpdateVirtualAccountParams()
			mut(p)
			_, err := c.BillsPayment.UpdateVirtualAccount(ctx, p)
			return err
		}
	}
	cashier := func(mut func(*VirtualAccountCashierURLParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullCashierURLParams()
			mut(p)
			_, err := c.BillsPayment.CashierURL(ctx, p)
			return err
		}
	}
	list := func(mut func(*VirtualAccountListPaymentsParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullVirtualAccountPaymentsParams()
			mut(p)
			_, err := c.BillsPayment.ListPayments(ctx, p)
			return err
		}
	}
	cancel := func(mut func(*VirtualAccountCancelParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullCancelVirtualAccountParams()
			mut(p)
			_, err := c.BillsPayment.CancelVirtualAccount(ctx, p)
			return err
		}
	}
	cases := []vcase{
		// 4.1
		{"create/mchOrderId missing", "mchOrderId", create(func(p *VirtualAccountCreateParams) { p.MchOrderID = "" })},
		{"create/mchOrderId 33", "mchOrderId", create(func(p *VirtualAccountCreateParams) { p.MchOrderID = long(33) })},
		{"create/customerName missing", "customerName", create(func(p *VirtualAccountCreateParams) { p.CustomerName = "" })},
		{"create/customerName 129", "customerName", create(func(p *VirtualAccountCreateParams) { p.CustomerName = long(129) })},
		{"create/channelCode missing", "channelCode", create(func(p *VirtualAccountCreateParams) { p.ChannelCode = "" })},
		{"create/channelCode two codes", "channelCode", create(func(p *VirtualAccountCreateParams) { p.ChannelCode = "GCASH_STATIC_VA,PAYMAYA_STATIC_VA" })},
		{"create/notifyUrl missing", "notifyUrl", create(func(p *VirtualAccountCreateParams) { p.NotifyURL = "" })},
		{"create/notifyUrl relative", "notifyUrl", create(func(p *VirtualAccountCreateParams) { p.NotifyURL = "/notify" })},
		{"create/notifyUrl 257", "notifyUrl", create(func(p *VirtualAccountCreateParams) { p.NotifyURL = "https://x.test/" + long(242) })},
		{"create/email missing", "email", create(func(p *VirtualAccountCreateParams) { p.Email = "" })},
		{"create/email no @", "email", create(func(p *VirtualAccountCreateParams) { p.Email = "platform.gmail.com" })},
		{"create/email 129", "email", create(func(p *VirtualAccountCreateParams) { p.Email = long(120) + "@mail.com" })},
		{"create/mobile missing", "mobile", create(func(p *VirtualAccountCreateParams) { p.Mobile = "" })},
		{"create/mobile 10", "mobile", create(func(p *VirtualAccountCreateParams) { p.Mobile = "0912345678" })},
		{"create/mobile 15", "mobile", create(func(p *VirtualAccountCreateParams) { p.Mobile = "091234567890123" })},
		{"create/mobile not 09", "mobile", create(func(p *VirtualAccountCreateParams) { p.Mobile = "08123456789" })},
		{"create/remark 257", "remark", create(func(p *VirtualAccountCreateParams) { p.Remark = long(257) })},
		// 4.2
		{"batch/appName missing", "appName", batch(func(p *VirtualAccountBatchCreateParams) { p.AppName = "" })},
		{"batch/appName 101", "appName", batch(func(p *VirtualAccountBatchCreateParams) { p.AppName = long(101) })},
		{"batch/appName digits", "appName", batch(func(p *VirtualAccountBatchCreateParams) { p.AppName = "App 2" })},
		{"batch/mchOrderId missing", "mchOrderId", batch(func(p *VirtualAccountBatchCreateParams) { p.MchOrderID = "" })},
		{"batch/mchOrderId 33", "mchOrderId", batch(func(p *VirtualAccountBatchCreateParams) { p.MchOrderID = long(33) })},
		{"batch/mchOrderId not alnum", "mchOrderId", batch(func(p *VirtualAccountBatchCreateParams) { p.MchOrderID = "CCP-2022" })},
		{"batch/channelCode missing", "channelCode", batch(func(p *VirtualAccountBatchCreateParams) { p.ChannelCode = nil })},
		{"batch/channelCode empty list", "channelCode", batch(func(p *VirtualAccountBatchCreateParams) { p.ChannelCode = BillsPaymentChannelCodeList{} })},
		{"batch/channelCode empty code", "channelCode", batch(func(p *VirtualAccountBatchCreateParams) {
			p.ChannelCode = BillsPaymentChannelCodeList{BillsPaymentChannelCodeGCashStaticVA, ""}
		})},
		{"batch/channelCode joined code", "channelCode", batch(func(p *VirtualAccountBatchCreateParams) {
			p.ChannelCode = BillsPaymentChannelCodeList{"GCASH_STATIC_VA,PAYMAYA_STATIC_VA"}
		})},
		{"batch/customerName missing", "customerName", batch(func(p *VirtualAccountBatchCreateParams) { p.CustomerName = "" })},
		{"batch/customerName 101", "customerName", batch(func(p *VirtualAccountBatchCreateParams) { p.CustomerName = long(101) })},
		{"batch/email missing", "email", batch(func(p *VirtualAccountBatchCreateParams) { p.Email = "" })},
		{"batch/email 51", "email", batch(func(p *VirtualAccountBatchCreateParams) { p.Email = long(42) + "@mail.com" })},
		{"batch/email no @", "email", batch(func(p *VirtualAccountBatchCreateParams) { p.Email = "user" })},
		{"batch/minAmount negative", "minAmount", batch(func(p *VirtualAccountBatchCreateParams) { p.MinAmount = -1 })},
		{"batch/maxAmount negative", "maxAmount", batch(func(p *VirtualAccountBatchCreateParams) { p.MaxAmount = -1 })},
		{"batch/min over max", "minAmount", batch(func(p *VirtualAccountBatchCreateParams) { p.MinAmount, p.MaxAmount = 5000001, 5000000 })},
		{"batch/mobile 10", "mobile", batch(func(p *VirtualAccountBatchCreateParams) { p.Mobile = "0912345678" })},
		{"batch/mobile 15", "mobile", batch(func(p *VirtualAccountBatchCreateParams) { p.Mobile = "091234567890123" })},
		{"batch/expireTime format", "expireTime", batch(func(p *VirtualAccountBatchCreateParams) { p.ExpireTime = "2026/05/26" })},
		{"batch/expireTime no such day", "expireTime", batch(func(p *VirtualAccountBatchCreateParams) { p.ExpireTime = "2026-02-30" })},
		// 4.3
		{"update/mchOrderId missing", "mchOrderId", update(func(p *VirtualAccountUpdateParams) { p.MchOrderID = "" })},
		{"update/mchOrderId 33", "mchOrderId", update(func(p *VirtualAccountUpdateParams) { p.MchOrderID = long(33) })},
		{"update/channelCode missing", "channelCode", update(func(p *VirtualAccountUpdateParams) { p.ChannelCode = nil })},
		{"update/channelCode space", "channelCode", update(func(p *VirtualAccountUpdateParams) {
			p.ChannelCode = BillsPaymentChannelCodeList{"GCASH STATIC VA"}
		})},
		// 4.4
		{"cashier/mchOrderId missing", "mchOrderId", cashier(func(p *VirtualAccountCashierURLParams) { p.MchOrderID = "" })},
		{"cashier/mchOrderId 33", "mchOrderId", cashier(func(p *VirtualAccountCashierURLParams) { p.MchOrderID = long(33) })},
		// 4.5
		{"list/mchOrderId missing", "mchOrderId", list(func(p *VirtualAccountListPaymentsParams) { p.MchOrderID = "" })},
		{"list/mchOrderId 33", "mchOrderId", list(func(p *VirtualAccountListPaymentsParams) { p.MchOrderID = long(33) })},
		{"list/startDate missing", "startDate", list(func(p *VirtualAccountListPaymentsParams) { p.StartDate = "" })},
		{"list/startDate format", "startDate", list(func(p *VirtualAccountListPaymentsParams) { p.StartDate = "02/01/2023" })},
		{"list/startDate no such day", "startDate", list(func(p *VirtualAccountListPaymentsParams) { p.StartDate = "2023-13-01" })},
		{"list/endDate missing", "endDate", list(func(p *VirtualAccountListPaymentsParams) { p.EndDate = "" })},
		{"list/endDate format", "endDate", list(func(p *VirtualAccountListPaymentsParams) { p.EndDate = "2023-1-3" })},
		{"list/endDate before startDate", "endDate", list(func(p *VirtualAccountListPaymentsParams) { p.EndDate = "2023-01-01" })},
		// 4.7
		{"cancel/mchOrderId missing", "mchOrderId", cancel(func(p *VirtualAccountCancelParams) { p.MchOrderID = "" })},
		{"cancel/mchOrderId 33", "mchOrderId", cancel(func(p *VirtualAccountCancelParams) { p.MchOrderID = long(33) })},
		{"cancel/channelCode missing", "channelCode", cancel(func(p *VirtualAccountCancelParams) { p.ChannelCode = "" })},
		{"cancel/channelCode two codes", "channelCode", cancel(func(p *VirtualAccountCancelParams) { p.ChannelCode = "RDP_STATIC_VA,MLH_STATIC_VA" })},
		// nil params
		{"create/nil", "params", func(c *Client) error { _, err := c.BillsPayment.CreateVirtualAccount(ctx, nil); return err }},
		{"batch/nil", "params", func(c *Client) error { _, err := c.BillsPayment.BatchCreateVirtualAccounts(ctx, nil); return err }},
		{"update/nil", "params", func(c *Client) error { _, err := c.BillsPayment.UpdateVirtualAccount(ctx, nil); return err }},
		{"cashier/nil", "params", func(c *Client) error { _, err := c.BillsPayment.CashierURL(ctx, nil); return err }},
		{"list/nil", "params", func(c *Client) error { _, err := c.BillsPayment.ListPayments(ctx, nil); return err }},
		{"cancel/nil", "params", func(c *Client) error { _, err := c.BillsPayment.CancelVirtualAccount(ctx, nil); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			// Any request would be answered: a missing refusal shows up as a recorded request.
			for _, p := range []string{"/open-api/philippines/static/payment/generate", "/api/v1/batch/paymentCode",
				"/api/v1/batch/paymentCode/CCP2022111405068111/update", "/api/v1/paymentCode/cashier",
				"/open-api/static/payment/code/payments", "/open-api/philippines/static/code/cancel"} {
				f.replyData("POST", p, `{}`)
			}
			requireInvalid(t, f, tc.call(f.Client), tc.field)
		})
	}
}

// The bounds accept their edges: exactly 32, 128, 256 characters and 11 / 14 digit mobiles.
func TestBillsPaymentValidationEdgesAccepted(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/philippines/static/payment/generate", `{}`)
	f.replyData("POST", "/api/v1/batch/paymentCode", `{}`)
	f.replyData("POST", "/open-api/static/payment/code/payments", `[]`)
	p := fullCreateVirtualAccountParams()
	p.MchOrderID = strings.Repeat("A", 32)
	p.CustomerName = strings.Repeat("n", 128)
	p.NotifyURL = "https://x.test/" + strings.Repeat("a", 241)
	p.Email = strings.Repeat("e", 119) + "@mail.com"
	p.Mobile = "09123456789012"
	p.Remark = strings.Repeat("r", 256)
	_, err := f.Client.BillsPayment.CreateVirtualAccount(context.Background(), p)
	require.NoError(t, err)

	b := fullBatchCreateVirtualAccountsParams()
	b.MinAmount, b.MaxAmount = 5000000, 5000000
	b.Email = strings.Repeat("e", 41) + "@mail.com"
	b.ChannelCode = BillsPaymentChannelCodeList{BillsPaymentChannelCodeGCashStaticVA}
	b.Mobile = "09123456789"
	_, err = f.Client.BillsPayment.BatchCreateVirtualAccounts(context.Background(), b)
	require.NoError(t, err)
	assert.Equal(t, "GCASH_STATIC_VA", f.last().Param["channelCode"])

	l := fullVirtualAccountPaymentsParams()
	l.EndDate = l.StartDate
	_, err = f.Client.BillsPayment.ListPayments(context.Background(), l)
	require.NoError(t, err)
	assert.Len(t, f.requests(), 3)
}

// Optional fields left zero are not sent.
func TestBillsPaymentOptionalFieldsOmitted(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/api/v1/batch/paymentCode", `{}`)
	p := fullBatchCreateVirtualAccountsParams()
	p.MinAmount, p.MaxAmount, p.Mobile, p.ExpireTime, p.Description = 0, 0, "", "", ""
	_, err := f.Client.BillsPayment.BatchCreateVirtualAccounts(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, sortedNames("appName", "mchOrderId", "channelCode", "customerName", "email", "timestamp"), paramKeys(f.last()))
}

// Extra reaches param and wins on a clash; the caller's params are not changed.
func TestBillsPaymentExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/philippines/static/payment/generate", `{}`)
	p := fullCreateVirtualAccountParams()
	p.Extra = map[string]any{"remark": "from extra", "payMode": "WEB", "minAmount": 20000}
	_, err := f.Client.BillsPayment.CreateVirtualAccount(context.Background(), p)
	requireExtraRefused(t, f, err, "remark")
	p.Extra = map[string]any{"payMode": "WEB", "minAmount": 20000}
	_, err = f.Client.BillsPayment.CreateVirtualAccount(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "loan 42", got.Param["remark"])
	assert.Equal(t, "WEB", got.Param["payMode"])
	assert.Equal(t, json.Number("20000"), got.Param["minAmount"])
	assert.Equal(t, "loan 42", p.Remark)
}

// --- decoding ---

// 4.1, open-api and PH fields together, with both time formats and lower-case enums.
func TestCreateVirtualAccountDecodes(t *testing.T) {
	const data = `{"mchOrderId":"Platform0000058","payData":"PC0000710000024","channelCode":"GCASH_STATIC_VA",
		"createTime":"2024-07-19 14:14:47","expiresTime":"2024-07-19T14:14:47+08:00","status":"active","channelType":"va",
		"referenceNumber":"PC0000710000024","biller":"PAYCOOLS LOAN","guideUrl":"https://a.api-dev.paycools.com/g?x=1&y=2",
		"unknownField":42}`
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/philippines/static/payment/generate", data)
	va, err := f.Client.BillsPayment.CreateVirtualAccount(context.Background(), fullCreateVirtualAccountParams())
	require.NoError(t, err)
	assert.Equal(t, "Platform0000058", va.MchOrderID)
	assert.Equal(t, BillsPaymentChannelCodeGCashStaticVA, va.ChannelCode)
	assert.Equal(t, "PC0000710000024", va.PayData)
	assert.Equal(t, "PC0000710000024", va.ReferenceNumber)
	assert.Equal(t, "PAYCOOLS LOAN", va.Biller)
	assert.Equal(t, "https://a.api-dev.paycools.com/g?x=1&y=2", va.GuideURL)
	assert.Equal(t, VirtualAccountStatusActive, va.Status)
	assert.Equal(t, VirtualAccountChannelTypeVA, va.ChannelType)
	want := phTimeOf(2024, 7, 19, 14, 14, 47)
	assert.True(t, va.CreateTime.Equal(want), "createTime %v", va.CreateTime)
	assert.True(t, va.ExpiresTime.Equal(want), "expiresTime %v", va.ExpiresTime)
	assert.JSONEq(t, data, string(va.Raw))
}

// 4.2: the short link and one VA per channel, each element keeping its own Raw.
func TestBatchCreateVirtualAccountsDecodes(t *testing.T) {
	const el1 = `{"mchOrderId":"CCP2022111405068111","channelCode":"GCASH_STATIC_VA","guideUrl":"https://a.api-dev.paycools.com/g1","referenceNumber":"PC0000710000024","biller":"PAYCOOLS LOAN"}`
	const el2 = `{"mchOrderId":"CCP2022111405068111","channelCode":"PAYMAYA_STATIC_VA","guideUrl":"https://a.api-dev.paycools.com/g2","referenceNumber":7100000025,"biller":"PayCools Loan"}`
	data := `{"shortLink":"https://a.api-dev.paycools.com/1L9zObb","paymentVaList":[` + el1 + `,` + el2 + `]}`
	f := newFakeAPI(t)
	f.replyData("POST", "/api/v1/batch/paymentCode", data)
	res, err := f.Client.BillsPayment.BatchCreateVirtualAccounts(context.Background(), fullBatchCreateVirtualAccountsParams())
	require.NoError(t, err)
	assert.Equal(t, "https://a.api-dev.paycools.com/1L9zObb", res.ShortLink)
	require.Len(t, res.PaymentVaList, 2)
	assert.Equal(t, BillsPaymentChannelCodeGCashStaticVA, res.PaymentVaList[0].ChannelCode)
	assert.Equal(t, "PC0000710000024", res.PaymentVaList[0].ReferenceNumber)
	assert.Equal(t, "7100000025", res.PaymentVaList[1].ReferenceNumber, "a number where a string is expected keeps its text")
	assert.Equal(t, "PayCools Loan", res.PaymentVaList[1].Biller)
	assert.Equal(t, "https://a.api-dev.paycools.com/g2", res.PaymentVaList[1].GuideURL)
	assert.JSONEq(t, el1, string(res.PaymentVaList[0].Raw))
	assert.JSONEq(t, el2, string(res.PaymentVaList[1].Raw))
	assert.JSONEq(t, data, string(res.Raw))
}

// 4.3 answers the same shape as 4.2.
func TestUpdateVirtualAccountDecodes(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/api/v1/batch/paymentCode/CCP2022111405068111/update",
		`{"shortLink":"https://a.api-dev.paycools.com/2AbC","paymentVaList":[{"mchOrderId":"CCP2022111405068111","channelCode":"PAYMAYA_STATIC_VA","referenceNumber":"PC1","biller":"Dragonpay"}]}`)
	res, err := f.Client.BillsPayment.UpdateVirtualAccount(context.Background(), fullUpdateVirtualAccountParams())
	require.NoError(t, err)
	assert.Equal(t, "https://a.api-dev.paycools.com/2AbC", res.ShortLink)
	require.Len(t, res.PaymentVaList, 1)
	assert.Equal(t, BillsPaymentChannelCodePayMayaStaticVA, res.PaymentVaList[0].ChannelCode)
	assert.Equal(t, "Dragonpay", res.PaymentVaList[0].Biller)
}

// 4.4, with and without the VA list; data sent as a JSON string is unwrapped by the core.
func TestCashierURLDecodes(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/api/v1/paymentCode/cashier", `"{\"shortLink\":\"https://a.api-dev.paycools.com/1L9zObb\"}"`)
	res, err := f.Client.BillsPayment.CashierURL(context.Background(), fullCashierURLParams())
	require.NoError(t, err)
	assert.Equal(t, "https://a.api-dev.paycools.com/1L9zObb", res.ShortLink)
	assert.Nil(t, res.PaymentVaList)
	assert.JSONEq(t, `{"shortLink":"https://a.api-dev.paycools.com/1L9zObb"}`, string(res.Raw))

	f2 := newFakeAPI(t)
	f2.replyData("POST", "/api/v1/paymentCode/cashier",
		`{"shortLink":"https://s/1","paymentVaList":[{"mchOrderId":"CCP2022111405068111","channelCode":"7ELEVEN_STATIC_VA","status":"ACTIVE"}]}`)
	res, err = f2.Client.BillsPayment.CashierURL(context.Background(), fullCashierURLParams())
	require.NoError(t, err)
	require.Len(t, res.PaymentVaList, 1)
	assert.Equal(t, BillsPaymentChannelCode7ElevenStaticVA, res.PaymentVaList[0].ChannelCode)
	assert.Equal(t, VirtualAccountStatusActive, res.PaymentVaList[0].Status)
}

// 4.5: data is an array; integers as strings, both time formats, COMPLETE and other status
// spellings, a null remark; each element keeps its Raw and the result keeps the array.
func TestVirtualAccountListPaymentsDecodes(t *testing.T) {
	const el1 = `{"transactionId":"C1630761265167208448","mchOrderId":"TestMchOrderIdP0001","channelCode":"GCASH_STATIC_VA",
		"referenceNumber":"PC0000710000024","transactionAmount":"50010","transactionStatus":"COMPLETE",
		"transactionCreateTime":"2024-07-19 14:14:47","transactionReturnTime":"2024-07-19T14:15:02+08:00","remark":null}`
	const el2 = `{"transactionId":"C1630761265167208449","mchOrderId":"TestMchOrderIdP0001","channelCode":"7ELEVEN_STATIC_VA",
		"transactionAmount":100000,"transactionStatus":"fail","transactionCreateTime":"2024-07-20T01:00:00Z","remark":"r"}`
	data := `[` + el1 + `,` + el2 + `]`
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/static/payment/code/payments", data)
	res, err := f.Client.BillsPayment.ListPayments(context.Background(), fullVirtualAccountPaymentsParams())
	require.NoError(t, err)
	require.Len(t, res.Payments, 2)
	p := res.Payments[0]
	assert.Equal(t, "C1630761265167208448", p.TransactionID)
	assert.Equal(t, "TestMchOrderIdP0001", p.MchOrderID)
	assert.Equal(t, BillsPaymentChannelCodeGCashStaticVA, p.ChannelCode)
	assert.Equal(t, "PC0000710000024", p.ReferenceNumber)
	assert.Equal(t, Amount(50010), p.TransactionAmount)
	assert.Equal(t, TransactionStatusCompleted, p.TransactionStatus)
	assert.True(t, p.TransactionCreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
	assert.True(t, p.TransactionReturnTime.Equal(phTimeOf(2024, 7, 19, 14, 15, 2)))
	assert.Equal(t, "", p.Remark)
	assert.JSONEq(t, el1, string(p.Raw))
	q := res.Payments[1]
	assert.Equal(t, Amount(100000), q.TransactionAmount)
	assert.Equal(t, TransactionStatusFailed, q.TransactionStatus)
	assert.True(t, q.TransactionCreateTime.Equal(time.Date(2024, 7, 20, 1, 0, 0, 0, time.UTC)))
	assert.True(t, q.TransactionReturnTime.IsZero())
	assert.Equal(t, "r", q.Remark)
	assert.JSONEq(t, el2, string(q.Raw))
	assert.JSONEq(t, data, string(res.Raw))
}

// A field that cannot be decoded stays zero; the rest of the element is kept, and Raw holds
// everything.
func TestVirtualAccountListPaymentsTolerant(t *testing.T) {
	const el = `{"transactionId":"C1","transactionAmount":"12.3x","transactionStatus":"COMPLETED","remark":"ok"}`
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/static/payment/code/payments", `[`+el+`]`)
	res, err := f.Client.BillsPayment.ListPayments(context.Background(), fullVirtualAccountPaymentsParams())
	require.NoError(t, err)
	require.Len(t, res.Payments, 1)
	assert.Equal(t, "C1", res.Payments[0].TransactionID)
	assert.Equal(t, Amount(0), res.Payments[0].TransactionAmount)
	assert.Equal(t, TransactionStatusCompleted, res.Payments[0].TransactionStatus)
	assert.Equal(t, "ok", res.Payments[0].Remark)
	assert.JSONEq(t, el, string(res.Payments[0].Raw))
}

// null data is an empty list; data that is not an array is not an error: Raw keeps it.
func TestVirtualAccountListPaymentsNullAndUnexpected(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/static/payment/code/payments", `null`)
	res, err := f.Client.BillsPayment.ListPayments(context.Background(), fullVirtualAccountPaymentsParams())
	require.NoError(t, err)
	assert.Empty(t, res.Payments)

	f2 := newFakeAPI(t)
	f2.replyData("POST", "/open-api/static/payment/code/payments", `{"records":[{"transactionId":"C1"}]}`)
	res, err = f2.Client.BillsPayment.ListPayments(context.Background(), fullVirtualAccountPaymentsParams())
	require.NoError(t, err)
	assert.Empty(t, res.Payments)
	assert.JSONEq(t, `{"records":[{"transactionId":"C1"}]}`, string(res.Raw))
}

// 4.7: the open-api answer and the PH answer.
func TestCancelVirtualAccountDecodes(t *testing.T) {
	const open = `{"mchOrderId":"CCP2023020602068111","channelCode":"RDP_STATIC_VA","payData":"PC123","status":"INACTIVE",
		"createTime":"2024-07-19 14:14:47","expiresTime":"2024-08-19T14:14:47+08:00"}`
	f := newFakeAPI(t)
	f.replyData("POST", "/open-api/philippines/static/code/cancel", open)
	res, err := f.Client.BillsPayment.CancelVirtualAccount(context.Background(), fullCancelVirtualAccountParams())
	require.NoError(t, err)
	assert.Equal(t, "CCP2023020602068111", res.MchOrderID)
	assert.Equal(t, BillsPaymentChannelCodeRDPStaticVA, res.ChannelCode)
	assert.Equal(t, "PC123", res.PayData)
	assert.Equal(t, VirtualAccountStatusInactive, res.Status)
	assert.True(t, res.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
	assert.True(t, res.ExpiresTime.Equal(phTimeOf(2024, 8, 19, 14, 14, 47)))
	assert.JSONEq(t, open, string(res.Raw))

	const ph = `{"paymentVaList":[{"mchOrderId":"CCP2023020602068111","channelCode":"RDP_STATIC_VA","referenceNumber":"PC1","biller":"PAYCOOLS LOAN","status":"inactive"},
		{"mchOrderId":"CCP2023020602068111","channelCode":"MLH_STATIC_VA","referenceNumber":"PC2","biller":"PAYCOOLS LOAN","status":"INACTIVE"}]}`
	f2 := newFakeAPI(t)
	f2.replyData("POST", "/open-api/philippines/static/code/cancel", ph)
	res, err = f2.Client.BillsPayment.CancelVirtualAccount(context.Background(), fullCancelVirtualAccountParams())
	require.NoError(t, err)
	require.Len(t, res.PaymentVaList, 2)
	assert.Equal(t, VirtualAccountStatusInactive, res.PaymentVaList[0].Status)
	assert.Equal(t, BillsPaymentChannelCodeMLHStaticVA, res.PaymentVaList[1].ChannelCode)
	assert.Equal(t, "PC2", res.PaymentVaList[1].ReferenceNumber)
}

// A refusal code comes back as an *APIError matching its sentinel.
func TestCreateVirtualAccountExists(t *testing.T) {
	f := newFakeAPI(t)
	f.replyCode("POST", "/open-api/philippines/static/payment/generate", 1017, "the static virtual account exist")
	_, err := f.Client.BillsPayment.CreateVirtualAccount(context.Background(), fullCreateVirtualAccountParams())
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrLegacyVirtualAccountExists)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "the static virtual account exist", ae.Message)
}

// Creating a VA is a write: an unknown outcome (502 with an HTML body) is reported and not
// resent; listing payments is a query and is resent.
func TestBillsPaymentWriteNotResentQueryResent(t *testing.T) {
	f := newFakeAPI(t)
	f.reply("POST", "/open-api/philippines/static/payment/generate", 502, "<html>Bad Gateway</html>")
	_, err := f.Client.BillsPayment.CreateVirtualAccount(context.Background(), fullCreateVirtualAccountParams())
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.True(t, he.OutcomeUnknown)
	assert.Len(t, f.requests(), 1)

	f2 := newFakeAPI(t)
	f2.reply("POST", "/open-api/static/payment/code/payments", 502, "<html>Bad Gateway</html>")
	_, err = f2.Client.BillsPayment.ListPayments(context.Background(), fullVirtualAccountPaymentsParams())
	require.ErrorAs(t, err, &he)
	assert.Len(t, f2.requests(), 3, "a query is resent up to the default 2 retries")
}

// --- BillsPaymentChannelCodeList ---

func TestBillsPaymentChannelCodeListJSON(t *testing.T) {
	b, err := json.Marshal(BillsPaymentChannelCodeList{BillsPaymentChannelCodeGCashStaticVA, BillsPaymentChannelCodePayMayaStaticVA})
	require.NoError(t, err)
	assert.Equal(t, `"GCASH_STATIC_VA,PAYMAYA_STATIC_VA"`, string(b))
	b, err = json.Marshal(BillsPaymentChannelCodeList{BillsPaymentChannelCodeCebuanaVA})
	require.NoError(t, err)
	assert.Equal(t, `"CEBUANA_VA"`, string(b))

	for _, tc := range []struct {
		in   string
		want BillsPaymentChannelCodeList
	}{
		{`"GCASH_STATIC_VA,PAYMAYA_STATIC_VA"`, BillsPaymentChannelCodeList{"GCASH_STATIC_VA", "PAYMAYA_STATIC_VA"}},
		{`"GCASH_STATIC_VA, PAYMAYA_STATIC_VA,"`, BillsPaymentChannelCodeList{"GCASH_STATIC_VA", "PAYMAYA_STATIC_VA"}},
		{`["RDP_STATIC_VA","MLH_STATIC_VA"]`, BillsPaymentChannelCodeList{"RDP_STATIC_VA", "MLH_STATIC_VA"}},
		{`"BNI_VA"`, BillsPaymentChannelCodeList{"BNI_VA"}},
		{`""`, nil},
		{`null`, nil},
		{`[]`, nil},
	} {
		var l BillsPaymentChannelCodeList
		require.NoError(t, json.Unmarshal([]byte(tc.in), &l), tc.in)
		assert.Equal(t, tc.want, l, tc.in)
	}
	var l BillsPaymentChannelCodeList
	assert.Error(t, json.Unmarshal([]byte(`{"a":1}`), &l))
	assert.Error(t, json.Unmarshal([]byte(`[{"a":1}]`), &l))

	// Round trip inside a struct.
	var s struct {
		C BillsPaymentChannelCodeList `json:"channelCode"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"channelCode":"GCASH_STATIC_VA,7ELEVEN_STATIC_VA"}`), &s))
	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Equal(t, `{"channelCode":"GCASH_STATIC_VA,7ELEVEN_STATIC_VA"}`, string(out))
}

func TestVirtualAccountEnumsDecode(t *testing.T) {
	var s VirtualAccountStatus
	require.NoError(t, json.Unmarshal([]byte(`"Inactive"`), &s))
	assert.Equal(t, VirtualAccountStatusInactive, s)
	require.NoError(t, json.Unmarshal([]byte(`"SUSPENDED"`), &s))
	assert.Equal(t, VirtualAccountStatus("SUSPENDED"), s, "unknown values are kept")
	var c VirtualAccountChannelType
	require.NoError(t, json.Unmarshal([]byte(`"qr"`), &c))
	assert.Equal(t, VirtualAccountChannelTypeQR, c)
	require.NoError(t, json.Unmarshal([]byte(`"url"`), &c))
	assert.Equal(t, VirtualAccountChannelTypeURL, c)
	require.NoError(t, json.Unmarshal([]byte(`"DEEPLINK"`), &c))
	assert.Equal(t, VirtualAccountChannelType("DEEPLINK"), c)
}

// --- LogValue ---

func TestBillsPaymentLogValueMasksMobile(t *testing.T) {
	p := fullCreateVirtualAccountParams()
	p.Extra = map[string]any{"secretish": "value-not-logged"}
	line := logJSON(p)
	assert.NotContains(t, line, "09123456789")
	assert.Contains(t, line, `"mobile":"*******6789"`)
	assert.Contains(t, line, `"mchOrderId":"Platform0000058"`)
	assert.Contains(t, line, "secretish")
	assert.NotContains(t, line, "value-not-logged")

	line = logJSON(fullBatchCreateVirtualAccountsParams())
	assert.NotContains(t, line, "09123456789")
	assert.Contains(t, line, `"mobile":"*******6789"`)
	assert.Contains(t, line, `"channelCode":"GCASH_STATIC_VA,PAYMAYA_STATIC_VA"`)

	line = logJSON(&RepaymentVerification{MchOrderID: "M1", Mobile: "09171234567", Amount: 50010})
	assert.NotContains(t, line, "09171234567")
	assert.Contains(t, line, `"mobile":"*******4567"`)
	assert.Contains(t, line, `"amount":50010`)
}

// --- callbacks (4.8) and the repayment verification question (4.6) ---

func TestVirtualAccountNotificationParses(t *testing.T) {
	f := newFakeAPI(t)
	param := `{"eventName":"payment.success","mchOrderId":"CCP2022111405068111","transactionId":"C1633669279100571648",
		"referenceNumber":"PC0000710000024","channelCode":"GCASH_STATIC_VA","amount":"50010","transactionStatus":"COMPLETE",
		"createTime":"2024-07-19 14:14:47","returnTime":"2024-07-19T14:15:02+08:00","remark":""}`
	n, err := f.Client.ParseNotification(signedCallback(t, param))
	require.NoError(t, err)
	assert.Equal(t, EventPaymentSuccess, n.EventName)
	ev, ok := n.Event.(*VirtualAccountPaymentNotification)
	require.True(t, ok, "Event is %T", n.Event)
	assert.Equal(t, "payment.success", ev.EventName)
	assert.Equal(t, "CCP2022111405068111", ev.MchOrderID)
	assert.Equal(t, "C1633669279100571648", ev.TransactionID)
	assert.Equal(t, "PC0000710000024", ev.ReferenceNumber)
	assert.Equal(t, BillsPaymentChannelCodeGCashStaticVA, ev.ChannelCode)
	assert.Equal(t, Amount(50010), ev.Amount)
	assert.Equal(t, TransactionStatusCompleted, ev.TransactionStatus)
	assert.True(t, ev.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
	assert.True(t, ev.ReturnTime.Equal(phTimeOf(2024, 7, 19, 14, 15, 2)))
	assert.Equal(t, param, string(ev.Raw))

	failed := `{"eventName":"payment.failed","mchOrderId":"M1","transactionId":"C2","channelCode":"PAYMAYA_STATIC_VA","amount":100,"transactionStatus":"FAILED","createTime":"2024-07-19 14:14:47","returnTime":null,"remark":"x"}`
	n, err = f.Client.ParseNotification(signedCallback(t, failed))
	require.NoError(t, err)
	ev, ok = n.Event.(*VirtualAccountPaymentNotification)
	require.True(t, ok, "Event is %T", n.Event)
	assert.Equal(t, TransactionStatusFailed, ev.TransactionStatus)
	assert.Equal(t, Amount(100), ev.Amount)
	assert.True(t, ev.ReturnTime.IsZero())
	assert.Equal(t, "x", ev.Remark)
}

const vaQuestionParam = `{"eventName":"payment.verification","mchOrderId":"CCP2022111405068111","channelCode":"GCASH_STATIC_VA",` +
	`"referenceNumber":"PC0000710000024","amount":"50010","mobile":"09123456789","createTime":"2024-07-19 14:14:47"}`

func TestRepaymentVerificationParses(t *testing.T) {
	f := newFakeAPI(t)
	n, err := f.Client.ParseNotification(signedCallback(t, vaQuestionParam))
	require.NoError(t, err)
	q, ok := n.Event.(*RepaymentVerification)
	require.True(t, ok, "Event is %T", n.Event)
	assert.Equal(t, EventPaymentVerification, q.EventName)
	assert.Equal(t, "CCP2022111405068111", q.MchOrderID)
	assert.Equal(t, BillsPaymentChannelCodeGCashStaticVA, q.ChannelCode)
	assert.Equal(t, "PC0000710000024", q.ReferenceNumber)
	assert.Equal(t, Amount(50010), q.Amount)
	assert.Equal(t, "09123456789", q.Mobile)
	assert.True(t, q.CreateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
	assert.Equal(t, vaQuestionParam, string(q.Raw))
}

func TestRepaymentVerificationHandlerAnswers(t *testing.T) {
	cases := []struct {
		name   string
		accept bool
		err    error
		status int
		body   string
	}{
		{"accept", true, nil, 200, `{"code":2000,"message":"Success","data":{}}`},
		{"refuse", false, nil, 200, `{"code":1000,"message":"Failed","data":{}}`},
		{"refusal 1001", false, &RepaymentRefusal{Code: VerificationRefusedInvalidParam, Message: "unknown reference number"}, 200,
			`{"code":1001,"message":"unknown reference number","data":{}}`},
		{"refusal 1002 wins over accept", true, &RepaymentRefusal{Code: VerificationRefusedAmountLimit, Message: "over the limit"}, 200,
			`{"code":1002,"message":"over the limit","data":{}}`},
		{"wrapped refusal 1000", true, errors.Join(errors.New("ctx"), &RepaymentRefusal{Code: VerificationRefused, Message: "no"}), 200,
			`{"code":1000,"message":"no","data":{}}`},
		{"other code sent as 1000", false, &RepaymentRefusal{Code: 1234, Message: "odd"}, 200,
			`{"code":1000,"message":"odd","data":{}}`},
		{"other error is 500", true, errors.New("database down 09123456789"), 500,
			`{"code":21000,"message":"Server error, Please try again later."}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, WithClock(func() time.Time { return phTimeOf(2024, 7, 19, 15, 0, 0) }))
			var got *RepaymentVerification
			h := f.Client.RepaymentVerificationHandler(func(_ context.Context, q *RepaymentVerification) (bool, error) {
				got = q
				return tc.accept, tc.err
			})
			rec := serveCallback(h, "POST", signedCallback(t, vaQuestionParam))
			assert.Equal(t, tc.status, rec.Code)
			assert.JSONEq(t, tc.body, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			require.NotNil(t, got, "the function must be called")
			assert.Equal(t, "PC0000710000024", got.ReferenceNumber)
			assert.Equal(t, Amount(50010), got.Amount)
			assert.NotContains(t, rec.Body.String(), "database", "the error text is never sent")
		})
	}
}

func TestRepaymentVerificationHandlerRefusesBeforeCalling(t *testing.T) {
	f := newFakeAPI(t)
	called := false
	h := f.Client.RepaymentVerificationHandler(func(context.Context, *RepaymentVerification) (bool, error) {
		called = true
		return true, nil
	})

	// Another event, correctly signed: 400, never accepted.
	rec := serveCallback(h, "POST", signedCallback(t, `{"eventName":"payment.success","mchOrderId":"M1","transactionId":"C1","amount":1}`))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.JSONEq(t, `{"code":21002,"message":"Request param error"}`, rec.Body.String())

	// A signature made over another param: 401.
	var good, other map[string]string
	require.NoError(t, json.Unmarshal(signedCallback(t, vaQuestionParam), &good))
	require.NoError(t, json.Unmarshal(signedCallback(t, `{"eventName":"payment.verification","amount":1}`), &other))
	forged, err := json.Marshal(map[string]string{"param": good["param"], "sign": other["sign"]})
	require.NoError(t, err)
	rec = serveCallback(h, "POST", forged)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.JSONEq(t, `{"code":21001,"message":"Request sign error"}`, rec.Body.String())

	// A body that is not JSON: 400.
	rec = serveCallback(h, "POST", []byte("not json"))
	assert.Equal(t, http.StatusBadRequest, rec.Code)

	assert.False(t, called, "the function must not be called for a refused body")
}

// A question routed to NotificationHandler is refused, without calling the function.
func TestRepaymentVerificationMisroutedIsRefused(t *testing.T) {
	f := newFakeAPI(t)
	called := false
	h := f.Client.NotificationHandler(func(context.Context, *Notification) error { called = true; return nil })
	rec := serveCallback(h, "POST", signedCallback(t, vaQuestionParam))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"code":1000,"message":"Failed","data":{}}`, rec.Body.String())
	assert.False(t, called)
}

// A payment.success through NotificationHandler reaches the function as the typed event.
func TestVirtualAccountNotificationThroughHandler(t *testing.T) {
	f := newFakeAPI(t)
	var got *VirtualAccountPaymentNotification
	h := f.Client.NotificationHandler(func(_ context.Context, n *Notification) error {
		got, _ = n.Event.(*VirtualAccountPaymentNotification)
		return nil
	})
	rec := serveCallback(h, "POST", signedCallback(t, `{"eventName":"payment.success","mchOrderId":"M1","transactionId":"C1","amount":"2500","transactionStatus":"COMPLETED"}`))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"code":10000,"message":"Success"}`, rec.Body.String())
	require.NotNil(t, got)
	assert.Equal(t, Amount(2500), got.Amount)
}
