package paycools

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fullBankTransferBatchCreateParams() *BankTransferBatchCreateParams {
	return &BankTransferBatchCreateParams{
		AppName:      "PayCools",
		MchOrderID:   "CCP20220428011068111",
		ChannelCode:  BankTransferChannelCodeInstaTransferAcc,
		CustomerName: "Customer Name",
		Email:        "pay@paycools.com",
		MinAmount:    20000,
		MaxAmount:    5000000,
		Mobile:       "09123456789",
		ExpireTime:   "2022-05-26",
		Description:  "rent",
	}
}

func fullBankTransferBatchUpdateParams() *BankTransferBatchUpdateParams {
	return &BankTransferBatchUpdateParams{MchOrderID: "MICHAELJORDAN0003", ChannelCode: BankTransferChannelCodeInstaTransferAcc}
}

func fullBankTransferListPaymentsParams() *BankTransferListPaymentsParams {
	return &BankTransferListPaymentsParams{
		MchOrderID:  "MICHAELJORDAN0003",
		StartDate:   "2022-05-26",
		EndDate:     "2022-05-27",
		ChannelCode: BankTransferChannelCodeInstaTransferAcc,
	}
}

const (
	btCreatePath = "/api/v1/batch/paymentAccount"
	btUpdatePath = "/api/v1/batch/paymentAccount/MICHAELJORDAN0003/update"
	btListPath   = "/api/v1/paymentAccount/MICHAELJORDAN0003/payments"
)

// The doc example of 6.1, with its timestamp, is sent byte for byte (modulo key order, which
// follows the struct: timestamp last).
func TestBankTransferBatchCreateDocExample(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", btCreatePath, `{}`)
	p := fullBankTransferBatchCreateParams()
	p.Description = ""
	p.Timestamp = 1677495496979
	_, err := f.Client.BankTransfers.BatchCreateAccounts(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, btCreatePath, got.Path)
	assert.JSONEq(t, `{"timestamp":1677495496979,"appName":"PayCools","mchOrderId":"CCP20220428011068111","channelCode":"INSTA_TRANSFER_ACC",
		"customerName":"Customer Name","email":"pay@paycools.com","minAmount":20000,"maxAmount":5000000,"mobile":"09123456789","expireTime":"2022-05-26"}`, got.Env.Param)
	assert.Contains(t, got.Env.Param, `"minAmount":20000,`, "amounts are JSON integers")
}

func TestBankTransferMethodPathAndParamNames(t *testing.T) {
	ctx := context.Background()
	t.Run("BatchCreateAccounts", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", btCreatePath, `{}`)
		_, err := f.Client.BankTransfers.BatchCreateAccounts(ctx, fullBankTransferBatchCreateParams())
		require.NoError(t, err)
		got := f.last()
		assert.Equal(t, "POST", got.Method)
		assert.Equal(t, btCreatePath, got.Path)
		assert.Equal(t, sortedNames("timestamp", "appName", "mchOrderId", "channelCode", "customerName", "email",
			"minAmount", "maxAmount", "mobile", "expireTime", "description"), paramKeys(got))
		assert.Equal(t, json.Number("1726139239000"), got.Param["timestamp"])
	})
	t.Run("BatchUpdateAccounts", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", btUpdatePath, `{}`)
		p := fullBankTransferBatchUpdateParams()
		p.Timestamp = 1677495496979
		_, err := f.Client.BankTransfers.BatchUpdateAccounts(ctx, p)
		require.NoError(t, err)
		got := f.last()
		assert.Equal(t, "POST", got.Method)
		assert.Equal(t, btUpdatePath, got.Path, "{mchOrderId} is filled from the params")
		assert.Equal(t, sortedNames("timestamp", "mchOrderId", "channelCode"), paramKeys(got))
		assert.JSONEq(t, `{"timestamp":1677495496979,"mchOrderId":"MICHAELJORDAN0003","channelCode":"INSTA_TRANSFER_ACC"}`, got.Env.Param)
	})
	t.Run("ListPayments is a GET with the envelope in the query", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("GET", btListPath, `[]`)
		p := fullBankTransferListPaymentsParams()
		p.Timestamp = 1677495496979
		_, err := f.Client.BankTransfers.ListPayments(ctx, p)
		require.NoError(t, err)
		got := f.last()
		assert.Equal(t, http.MethodGet, got.Method)
		assert.Equal(t, btListPath, got.Path)
		assert.Equal(t, sortedNames("appId", "param", "sign"), queryKeys(got), "exactly the three envelope names")
		assert.Equal(t, testAppID, got.Query.Get("appId"))
		assert.JSONEq(t, `{"timestamp":1677495496979,"mchOrderId":"MICHAELJORDAN0003","startDate":"2022-05-26","endDate":"2022-05-27","channelCode":"INSTA_TRANSFER_ACC"}`,
			got.Query.Get("param"))
		assert.Len(t, got.Query.Get("sign"), 344)
		assert.Empty(t, got.Header.Get("Content-Type"), "a GET has no body")
		assert.Equal(t, sortedNames("timestamp", "mchOrderId", "startDate", "endDate", "channelCode"), paramKeys(got))
	})
	t.Run("ListPayments without the optional channel filter", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("GET", btListPath, `[]`)
		p := fullBankTransferListPaymentsParams()
		p.ChannelCode = ""
		_, err := f.Client.BankTransfers.ListPayments(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, sortedNames("timestamp", "mchOrderId", "startDate", "endDate"), paramKeys(f.last()))
	})
}

func TestBankTransferValidation(t *testing.T) {
	ctx := context.Background()
	long := func(n int) string { return strings.Repeat("a", n) }
	create := func(mut func(*BankTransferBatchCreateParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullBankTransferBatchCreateParams()
			mut(p)
			_, err := c.BankTransfers.BatchCreateAccounts(ctx, p)
			return err
		}
	}
	update := func(mut func(*BankTransferBatchUpdateParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullBankTransferBatchUpdateParams()
			mut(p)
			_, err := c.BankTransfers.BatchUpdateAccounts(ctx, p)
			return err
		}
	}
	list := func(mut func(*BankTransferListPaymentsParams)) func(*Client) error {
		return func(c *Client) error {
			p := fullBankTransferListPaymentsParams()
			mut(p)
			_, err := c.BankTransfers.ListPayments(ctx, p)
			return err
		}
	}
	cases := []struct {
		name  string
		field string
		call  func(*Client) error
	}{
		// 6.1
		{"create/appName missing", "appName", create(func(p *BankTransferBatchCreateParams) { p.AppName = "" })},
		{"create/appName 101", "appName", create(func(p *BankTransferBatchCreateParams) { p.AppName = long(101) })},
		{"create/appName not letters", "appName", create(func(p *BankTransferBatchCreateParams) { p.AppName = "Pay_Cools" })},
		{"create/mchOrderId missing", "mchOrderId", create(func(p *BankTransferBatchCreateParams) { p.MchOrderID = "" })},
		{"create/mchOrderId 33", "mchOrderId", create(func(p *BankTransferBatchCreateParams) { p.MchOrderID = long(33) })},
		{"create/mchOrderId not alnum", "mchOrderId", create(func(p *BankTransferBatchCreateParams) { p.MchOrderID = "CCP_2022" })},
		{"create/channelCode missing", "channelCode", create(func(p *BankTransferBatchCreateParams) { p.ChannelCode = "" })},
		{"create/channelCode space", "channelCode", create(func(p *BankTransferBatchCreateParams) { p.ChannelCode = "INSTA_TRANSFER_ACC, OTHER_ACC" })},
		{"create/channelCode empty code", "channelCode", create(func(p *BankTransferBatchCreateParams) { p.ChannelCode = "INSTA_TRANSFER_ACC," })},
		{"create/customerName missing", "customerName", create(func(p *BankTransferBatchCreateParams) { p.CustomerName = "" })},
		{"create/customerName 101", "customerName", create(func(p *BankTransferBatchCreateParams) { p.CustomerName = long(101) })},
		{"create/email 51", "email", create(func(p *BankTransferBatchCreateParams) { p.Email = long(42) + "@mail.com" })},
		{"create/minAmount negative", "minAmount", create(func(p *BankTransferBatchCreateParams) { p.MinAmount = -20000 })},
		{"create/maxAmount negative", "maxAmount", create(func(p *BankTransferBatchCreateParams) { p.MaxAmount = -1 })},
		{"create/min over max", "minAmount", create(func(p *BankTransferBatchCreateParams) { p.MinAmount, p.MaxAmount = 30000, 20000 })},
		{"create/mobile 10 (the doc's own example)", "mobile", create(func(p *BankTransferBatchCreateParams) { p.Mobile = "0912345678" })},
		{"create/mobile 15", "mobile", create(func(p *BankTransferBatchCreateParams) { p.Mobile = "091234567890123" })},
		{"create/expireTime format", "expireTime", create(func(p *BankTransferBatchCreateParams) { p.ExpireTime = "26-05-2022" })},
		{"create/expireTime no such day", "expireTime", create(func(p *BankTransferBatchCreateParams) { p.ExpireTime = "2022-04-31" })},
		{"create/nil", "params", func(c *Client) error { _, err := c.BankTransfers.BatchCreateAccounts(ctx, nil); return err }},
		// 6.2
		{"update/mchOrderId missing", "mchOrderId", update(func(p *BankTransferBatchUpdateParams) { p.MchOrderID = "" })},
		{"update/mchOrderId 33", "mchOrderId", update(func(p *BankTransferBatchUpdateParams) { p.MchOrderID = long(33) })},
		{"update/mchOrderId not alnum", "mchOrderId", update(func(p *BankTransferBatchUpdateParams) { p.MchOrderID = "MJ/0003" })},
		{"update/channelCode missing", "channelCode", update(func(p *BankTransferBatchUpdateParams) { p.ChannelCode = "" })},
		{"update/channelCode space", "channelCode", update(func(p *BankTransferBatchUpdateParams) { p.ChannelCode = "INSTA TRANSFER" })},
		{"update/nil", "params", func(c *Client) error { _, err := c.BankTransfers.BatchUpdateAccounts(ctx, nil); return err }},
		// 6.3
		{"list/mchOrderId missing", "mchOrderId", list(func(p *BankTransferListPaymentsParams) { p.MchOrderID = "" })},
		{"list/mchOrderId 33", "mchOrderId", list(func(p *BankTransferListPaymentsParams) { p.MchOrderID = long(33) })},
		{"list/mchOrderId not alnum", "mchOrderId", list(func(p *BankTransferListPaymentsParams) { p.MchOrderID = "MJ 0003" })},
		{"list/startDate missing", "startDate", list(func(p *BankTransferListPaymentsParams) { p.StartDate = "" })},
		{"list/startDate format", "startDate", list(func(p *BankTransferListPaymentsParams) { p.StartDate = "2022-5-26" })},
		{"list/endDate missing", "endDate", list(func(p *BankTransferListPaymentsParams) { p.EndDate = "" })},
		{"list/endDate format", "endDate", list(func(p *BankTransferListPaymentsParams) { p.EndDate = "20220527" })},
		{"list/endDate before startDate", "endDate", list(func(p *BankTransferListPaymentsParams) { p.EndDate = "2022-05-25" })},
		{"list/endDate no such day", "endDate", list(func(p *BankTransferListPaymentsParams) { p.EndDate = "2022-05-32" })},
		{"list/channelCode empty code", "channelCode", list(func(p *BankTransferListPaymentsParams) { p.ChannelCode = ",INSTA_TRANSFER_ACC" })},
		{"list/nil", "params", func(c *Client) error { _, err := c.BankTransfers.ListPayments(ctx, nil); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", btCreatePath, `{}`)
			f.replyData("POST", btUpdatePath, `{}`)
			f.replyData("GET", btListPath, `[]`)
			requireInvalid(t, f, tc.call(f.Client), tc.field)
		})
	}
}

// Edges accepted: 32-character ids, 100-character names, 14-digit mobiles, min == max,
// several channels joined by commas, optional fields absent.
func TestBankTransferValidationEdgesAccepted(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", btCreatePath, `{}`)
	p := &BankTransferBatchCreateParams{
		AppName:      strings.Repeat("P", 100),
		MchOrderID:   strings.Repeat("A1", 16),
		ChannelCode:  "INSTA_TRANSFER_ACC,OTHER_ACC",
		CustomerName: strings.Repeat("n", 100),
		MinAmount:    20000,
		MaxAmount:    20000,
		Mobile:       "09123456789012",
	}
	_, err := f.Client.BankTransfers.BatchCreateAccounts(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "INSTA_TRANSFER_ACC,OTHER_ACC", got.Param["channelCode"])
	assert.Equal(t, sortedNames("timestamp", "appName", "mchOrderId", "channelCode", "customerName", "minAmount", "maxAmount", "mobile"),
		paramKeys(got), "email, expireTime and description are optional and left out when empty")
}

func TestBankTransferExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("GET", btListPath, `[]`)
	p := fullBankTransferListPaymentsParams()
	p.Extra = map[string]any{"channelCode": "OTHER_ACC", "page": 2}
	_, err := f.Client.BankTransfers.ListPayments(context.Background(), p)
	requireExtraRefused(t, f, err, "channelCode")
	p.Extra = map[string]any{"page": 2}
	_, err = f.Client.BankTransfers.ListPayments(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, string(BankTransferChannelCodeInstaTransferAcc), got.Param["channelCode"])
	assert.Equal(t, json.Number("2"), got.Param["page"])
}

// 6.1 / 6.2 answer: the short link and the accounts, each element keeping its Raw.
func TestBankTransferAccountsDecode(t *testing.T) {
	const el = `{"mchOrderId":"CCP20220428011068111","channelCode":"INSTA_TRANSFER_ACC","guideUrl":"https://a.api-dev.paycools.com/g?a=1&b=2",
		"receivingBank":"AllBank","accountName":"PayCools","accountNumber":999100000198}`
	data := `{"shortLink":"https://a.api-dev.paycools.com/1L9zObb","paymentAccountList":[` + el + `]}`
	for _, op := range []string{"create", "update"} {
		t.Run(op, func(t *testing.T) {
			f := newFakeAPI(t)
			var res *BankTransferAccounts
			var err error
			if op == "create" {
				f.replyData("POST", btCreatePath, data)
				res, err = f.Client.BankTransfers.BatchCreateAccounts(context.Background(), fullBankTransferBatchCreateParams())
			} else {
				f.replyData("POST", btUpdatePath, data)
				res, err = f.Client.BankTransfers.BatchUpdateAccounts(context.Background(), fullBankTransferBatchUpdateParams())
			}
			require.NoError(t, err)
			assert.Equal(t, "https://a.api-dev.paycools.com/1L9zObb", res.ShortLink)
			require.Len(t, res.PaymentAccountList, 1)
			a := res.PaymentAccountList[0]
			assert.Equal(t, "CCP20220428011068111", a.MchOrderID)
			assert.Equal(t, BankTransferChannelCodeInstaTransferAcc, a.ChannelCode)
			assert.Equal(t, "https://a.api-dev.paycools.com/g?a=1&b=2", a.GuideURL)
			assert.Equal(t, "AllBank", a.ReceivingBank)
			assert.Equal(t, "PayCools", a.AccountName)
			assert.Equal(t, "999100000198", a.AccountNumber, "an account number sent as a JSON number keeps its digits")
			assert.JSONEq(t, el, string(a.Raw))
			assert.JSONEq(t, data, string(res.Raw))
		})
	}
}

func TestBankTransferAccountExists(t *testing.T) {
	f := newFakeAPI(t)
	f.replyCode("POST", btCreatePath, 1019, "the bank transfer account exist")
	_, err := f.Client.BankTransfers.BatchCreateAccounts(context.Background(), fullBankTransferBatchCreateParams())
	assert.ErrorIs(t, err, ErrLegacyBankTransferAccountExists)
	assert.Len(t, f.requests(), 1, "a refusal is not resent")
}

// 6.3 answer: an array; integers as strings, both time formats, COMPLETE, a null remark.
func TestBankTransferListPaymentsDecodes(t *testing.T) {
	const el1 = `{"transactionId":"B1633669279100571648","transactionCreateTime":"2022-05-26 10:11:12",
		"transactionReturnTime":"2022-05-26T10:11:40+08:00","transactionAmount":"150000","channelCode":"INSTA_TRANSFER_ACC",
		"transactionStatus":"COMPLETE","remark":null}`
	const el2 = `{"transactionId":"B2","transactionCreateTime":1653531072000,"transactionAmount":99,
		"channelCode":"INSTA_TRANSFER_ACC","transactionStatus":"pending","remark":"second"}`
	data := `[` + el1 + `,` + el2 + `]`
	f := newFakeAPI(t)
	f.replyData("GET", btListPath, data)
	res, err := f.Client.BankTransfers.ListPayments(context.Background(), fullBankTransferListPaymentsParams())
	require.NoError(t, err)
	require.Len(t, res.Payments, 2)
	p := res.Payments[0]
	assert.Equal(t, "B1633669279100571648", p.TransactionID)
	assert.True(t, p.TransactionCreateTime.Equal(phTimeOf(2022, 5, 26, 10, 11, 12)))
	assert.True(t, p.TransactionReturnTime.Equal(phTimeOf(2022, 5, 26, 10, 11, 40)))
	assert.Equal(t, Amount(150000), p.TransactionAmount)
	assert.Equal(t, BankTransferChannelCodeInstaTransferAcc, p.ChannelCode)
	assert.Equal(t, TransactionStatusCompleted, p.TransactionStatus)
	assert.Equal(t, "", p.Remark)
	assert.JSONEq(t, el1, string(p.Raw))
	q := res.Payments[1]
	assert.True(t, q.TransactionCreateTime.Equal(phTimeOf(2022, 5, 26, 10, 11, 12)), "epoch milliseconds")
	assert.Equal(t, Amount(99), q.TransactionAmount)
	assert.Equal(t, TransactionStatusPending, q.TransactionStatus)
	assert.False(t, q.TransactionStatus.Final())
	assert.JSONEq(t, el2, string(q.Raw))
	assert.JSONEq(t, data, string(res.Raw))
}

func TestBankTransferListPaymentsEmpty(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("GET", btListPath, `[]`)
	res, err := f.Client.BankTransfers.ListPayments(context.Background(), fullBankTransferListPaymentsParams())
	require.NoError(t, err)
	assert.Empty(t, res.Payments)
	assert.Equal(t, `[]`, string(res.Raw))
}

// A query: a 502 is resent (up to the default 2 retries), over GET each time.
func TestBankTransferListPaymentsResentOn502(t *testing.T) {
	f := newFakeAPI(t)
	f.reply("GET", btListPath, 502, "<html>Bad Gateway</html>")
	_, err := f.Client.BankTransfers.ListPayments(context.Background(), fullBankTransferListPaymentsParams())
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	reqs := f.requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, http.MethodGet, r.Method)
	}
}

func TestBankTransferPaymentNotificationParses(t *testing.T) {
	f := newFakeAPI(t)
	param := `{"eventName":"transfer.payment.success","mchOrderId":"MICHAELJORDAN0003","transactionId":"B1633669279100571648",
		"amount":"150000","transactionStatus":"COMPLETE","createTime":"2022-05-26 10:11:12","returnTime":"2022-05-26T10:11:40+08:00",
		"channelCode":"INSTA_TRANSFER_ACC","paymentAccount":"999100000198","remark":"","failedCode":"-10004","failedMessage":"none"}`
	n, err := f.Client.ParseNotification(signedCallback(t, param))
	require.NoError(t, err)
	assert.Equal(t, EventTransferPaymentSuccess, n.EventName)
	ev, ok := n.Event.(*BankTransferPaymentNotification)
	require.True(t, ok, "Event is %T", n.Event)
	assert.Equal(t, "transfer.payment.success", ev.EventName)
	assert.Equal(t, "MICHAELJORDAN0003", ev.MchOrderID)
	assert.Equal(t, "B1633669279100571648", ev.TransactionID)
	assert.Equal(t, Amount(150000), ev.Amount)
	assert.Equal(t, TransactionStatusCompleted, ev.TransactionStatus)
	assert.True(t, ev.CreateTime.Equal(phTimeOf(2022, 5, 26, 10, 11, 12)))
	assert.True(t, ev.ReturnTime.Equal(phTimeOf(2022, 5, 26, 10, 11, 40)))
	assert.Equal(t, BankTransferChannelCodeInstaTransferAcc, ev.ChannelCode)
	assert.Equal(t, "999100000198", ev.PaymentAccount)
	assert.Equal(t, FailedCodeChannelRejected, ev.FailedCode, "an integer sent as a string")
	assert.Equal(t, "none", ev.FailedMessage)
	assert.Equal(t, param, string(ev.Raw))
}

func TestBankTransferLogValueMasksNumbers(t *testing.T) {
	line := logJSON(fullBankTransferBatchCreateParams())
	assert.NotContains(t, line, "09123456789")
	assert.Contains(t, line, `"mobile":"*******6789"`)
	assert.Contains(t, line, `"mchOrderId":"CCP20220428011068111"`)

	line = logJSON(BankTransferAccount{AccountNumber: "999100000198", ReceivingBank: "AllBank"})
	assert.NotContains(t, line, "999100000198")
	assert.Contains(t, line, `"accountNumber":"********0198"`)
	assert.Contains(t, line, `"receivingBank":"AllBank"`)

	line = logJSON(&BankTransferPaymentNotification{PaymentAccount: "999100000198", Amount: 150000})
	assert.NotContains(t, line, "999100000198")
	assert.Contains(t, line, `"paymentAccount":"********0198"`)
}
