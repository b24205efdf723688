package paycools

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pathAccountBalance   = "/open-api/account/balance"
	pathPaymentStatement = "/api/v1/record/paymentList"
	pathPayoutStatement  = "/api/v1/record/payoutList"
)

func TestAccountBalanceNilParamsMeansDefaults(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathAccountBalance, `{"balance":439369947}`)
	res, err := f.Client.Account.Balance(context.Background(), nil)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, pathAccountBalance, got.Path)
	assert.Equal(t, []string{"countryCode", "timestamp"}, paramKeys(got))
	assert.Equal(t, "PH", got.Param["countryCode"])
	assert.Equal(t, fixedNow.UnixMilli(), jsonInt64(t, got.Param["timestamp"]))
	assert.Equal(t, Amount(439369947), res.Balance)
	assert.JSONEq(t, `{"balance":439369947}`, string(res.Raw))
}

func TestAccountBalanceDefaultsOnACopy(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathAccountBalance, `{"balance":1}`)
	p := &AccountBalanceParams{}
	_, err := f.Client.Account.Balance(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, CountryCode(""), p.CountryCode, "the caller's params must not be modified")
	assert.Equal(t, "PH", f.last().Param["countryCode"])

	_, err = f.Client.Account.Balance(context.Background(), &AccountBalanceParams{CountryCode: CountryID, RequestFields: RequestFields{Timestamp: 1682264649000}})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, `{"countryCode":"ID","timestamp":1682264649000}`, got.Env.Param)
}

func TestAccountBalanceValidation(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathAccountBalance, `{"balance":1}`)
	_, err := f.Client.Account.Balance(context.Background(), &AccountBalanceParams{CountryCode: "XX"})
	requireInvalid(t, f, err, "countryCode")
}

func TestAccountBalanceDecoding(t *testing.T) {
	cases := []struct {
		name string
		data string
		want Amount
	}{
		{"number is centavos", `{"balance":439369947}`, 439369947},
		{"digit string is centavos", `{"balance":"3688"}`, 3688},
		{"decimal string is pesos", `{"balance":"10000.00"}`, 1000000},
		{"one decimal pesos", `{"balance":"500.1"}`, 50010},
		{"two decimals pesos", `{"balance":"0.05"}`, 5},
		{"null is zero", `{"balance":null}`, 0},
		{"empty string is zero", `{"balance":""}`, 0},
		{"more than two decimals is refused, left zero", `{"balance":"1.234"}`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", pathAccountBalance, tc.data)
			res, err := f.Client.Account.Balance(context.Background(), nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, res.Balance)
			assert.JSONEq(t, tc.data, string(res.Raw))
		})
	}
}

func TestAccountBalanceExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathAccountBalance, `{"balance":1}`)
	_, err := f.Client.Account.Balance(context.Background(), &AccountBalanceParams{
		CountryCode:   CountryPH,
		RequestFields: RequestFields{Extra: map[string]any{"countryCode": "MY", "currency": "PHP"}},
	})
	requireExtraRefused(t, f, err, "countryCode")
	_, err = f.Client.Account.Balance(context.Background(), &AccountBalanceParams{
		CountryCode:   CountryPH,
		RequestFields: RequestFields{Extra: map[string]any{"currency": "PHP"}},
	})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "PH", got.Param["countryCode"])
	assert.Equal(t, "PHP", got.Param["currency"])
}

func fullPaymentStatementParams() *AccountPaymentStatementParams {
	return &AccountPaymentStatementParams{
		CreateDate:   "2022-01-01",
		CompleteDate: "2022-01-02",
		Page:         2,
		Status:       StatementStatusComplete,
	}
}

func TestAccountPaymentStatementRequest(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathPaymentStatement, `{"records":[]}`)
	res, err := f.Client.Account.PaymentStatement(context.Background(), fullPaymentStatementParams())
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, pathPaymentStatement, got.Path)
	assert.Equal(t, []string{"completeDate", "createDate", "page", "status", "timestamp"}, paramKeys(got))
	assert.Equal(t, "COMPLETE", got.Param["status"])
	assert.Equal(t, int64(2), jsonInt64(t, got.Param["page"]))
	assert.NotNil(t, res.Records)
	assert.Empty(t, res.Records)

	// The doc example, byte for byte.
	_, err = f.Client.Account.PaymentStatement(context.Background(), &AccountPaymentStatementParams{
		CreateDate: "2022-01-01", Page: 1, Status: StatementStatusComplete, RequestFields: RequestFields{Timestamp: 1679335338000},
	})
	require.NoError(t, err)
	assert.Equal(t, `{"createDate":"2022-01-01","page":1,"status":"COMPLETE","timestamp":1679335338000}`, f.last().Env.Param)
}

// statementValidationCases are shared by both statements: they have the same fields and rules.
var statementValidationCases = []struct {
	name   string
	mutate func(createDate, completeDate *string, page *int, status *StatementStatus)
	field  string
}{
	{"no date at all", func(c, d *string, _ *int, _ *StatementStatus) { *c, *d = "", "" }, "createDate"},
	{"createDate not yyyy-MM-dd", func(c, _ *string, _ *int, _ *StatementStatus) { *c = "2022/01/01" }, "createDate"},
	{"completeDate not yyyy-MM-dd", func(_, d *string, _ *int, _ *StatementStatus) { *d = "01-02-2022" }, "completeDate"},
	{"createDate over 50 chars", func(c, _ *string, _ *int, _ *StatementStatus) { *c = strings.Repeat("1", 51) }, "createDate"},
	{"completeDate over 50 chars", func(_, d *string, _ *int, _ *StatementStatus) { *d = strings.Repeat("1", 51) }, "completeDate"},
	{"page missing", func(_, _ *string, p *int, _ *StatementStatus) { *p = 0 }, "page"},
	{"page below 1", func(_, _ *string, p *int, _ *StatementStatus) { *p = -1 }, "page"},
	{"status unknown (COMPLETED is not the PH spelling)", func(_, _ *string, _ *int, s *StatementStatus) { *s = "COMPLETED" }, "status"},
}

func TestAccountPaymentStatementValidation(t *testing.T) {
	for _, tc := range statementValidationCases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", pathPaymentStatement, `{"records":[]}`)
			p := fullPaymentStatementParams()
			tc.mutate(&p.CreateDate, &p.CompleteDate, &p.Page, &p.Status)
			_, err := f.Client.Account.PaymentStatement(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}
	t.Run("either date alone is enough", func(t *testing.T) {
		f := newFakeAPI(t)
		f.replyData("POST", pathPaymentStatement, `{"records":[]}`)
		_, err := f.Client.Account.PaymentStatement(context.Background(), &AccountPaymentStatementParams{CompleteDate: "2022-01-01", Page: 1})
		require.NoError(t, err)
		_, err = f.Client.Account.PaymentStatement(context.Background(), &AccountPaymentStatementParams{CreateDate: "2022-01-01", Page: 1})
		require.NoError(t, err)
		assert.Len(t, f.requests(), 2)
	})
	t.Run("nil params", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.Account.PaymentStatement(context.Background(), nil)
		requireInvalid(t, f, err, "params")
	})
}

const paymentStatementData = `{"records":[
 {"merchantOrderId":"M20220101001","transactionId":"C1175679364396181358","paymentMethod":"QR Code",
  "paymentChannel":"GCASH_STATIC_VA","amount":100.1,"fee":"10.1","name":"Juan Dela Cruz","mobile":"09123456789",
  "status":"COMPLETE","appName":"shop","createTime":"2024-07-19 14:14:47","completeTime":"2024-07-19T14:15:47+08:00"},
 {"merchantOrderId":20220101002,"transactionId":"C2","paymentMethod":"QR Code","paymentChannel":"GCASH_STATIC_VA",
  "amount":"2500","fee":0,"mobile":9123456789,"status":"pending","createTime":"2024-07-19T06:14:47Z","completeTime":null},
 {"merchantOrderId":"M3","amount":1.005,"status":"FAILED"}
],"total":3}`

func TestAccountPaymentStatementDecoding(t *testing.T) {
	var logs bytes.Buffer
	f := newFakeAPI(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	f.replyData("POST", pathPaymentStatement, paymentStatementData)
	res, err := f.Client.Account.PaymentStatement(context.Background(), &AccountPaymentStatementParams{CreateDate: "2024-07-19", Page: 1})
	require.NoError(t, err)
	require.Len(t, res.Records, 3)

	r := res.Records[0]
	assert.Equal(t, "M20220101001", r.MerchantOrderID)
	assert.Equal(t, "C1175679364396181358", r.TransactionID)
	assert.Equal(t, "QR Code", r.PaymentMethod)
	assert.Equal(t, "GCASH_STATIC_VA", r.PaymentChannel)
	assert.Equal(t, Amount(10010), r.Amount, "amount arrives in pesos")
	assert.Equal(t, Amount(1010), r.Fee, "fee arrives in pesos")
	assert.Equal(t, "Juan Dela Cruz", r.Name)
	assert.Equal(t, "09123456789", r.Mobile)
	assert.Equal(t, TransactionStatusCompleted, r.Status, "PH COMPLETE is decoded as COMPLETED")
	assert.Equal(t, "shop", r.AppName)
	assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(r.CreateTime.Time), "createTime %v", r.CreateTime)
	assert.True(t, phTimeOf(2024, 7, 19, 14, 15, 47).Equal(r.CompleteTime.Time), "completeTime %v", r.CompleteTime)
	assert.Contains(t, string(r.Raw), `"C1175679364396181358"`)

	r = res.Records[1]
	assert.Equal(t, "20220101002", r.MerchantOrderID, "a number where a string is typed is kept as its text")
	assert.Equal(t, Amount(250000), r.Amount, "a peso amount without decimals")
	assert.Equal(t, Amount(0), r.Fee)
	assert.Equal(t, "9123456789", r.Mobile)
	assert.Equal(t, TransactionStatusPending, r.Status)
	assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(r.CreateTime.Time))
	assert.True(t, r.CompleteTime.IsZero())

	// More than two decimals is a decode error: the record is refused (left zero, with one
	// Warn line naming it) and its Raw keeps it; the other records are intact.
	bad := res.Records[2]
	assert.JSONEq(t, `{"merchantOrderId":"M3","amount":1.005,"status":"FAILED"}`, string(bad.Raw))
	bad.Raw = nil
	assert.Equal(t, PaymentRecord{}, bad)
	assert.Contains(t, logs.String(), "records[2]")
	assert.Contains(t, logs.String(), "more than two decimals")
	assert.Contains(t, string(res.Raw), `1.005`)
	assert.Contains(t, string(res.Raw), `"total":3`)
}

func TestAccountPaymentStatementExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathPaymentStatement, `{"records":[]}`)
	p := fullPaymentStatementParams()
	p.Extra = map[string]any{"page": 7, "appName": "shop"}
	_, err := f.Client.Account.PaymentStatement(context.Background(), p)
	requireExtraRefused(t, f, err, "page")
	p.Extra = map[string]any{"appName": "shop"}
	_, err = f.Client.Account.PaymentStatement(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "shop", got.Param["appName"])
}

func fullPayoutStatementParams() *AccountPayoutStatementParams {
	return &AccountPayoutStatementParams{
		CreateDate:   "2022-01-01",
		CompleteDate: "2022-01-02",
		Page:         1,
		Status:       StatementStatusFailed,
	}
}

func TestAccountPayoutStatementRequest(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutStatement, `{"records":null}`)
	res, err := f.Client.Account.PayoutStatement(context.Background(), fullPayoutStatementParams())
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, pathPayoutStatement, got.Path)
	assert.Equal(t, []string{"completeDate", "createDate", "page", "status", "timestamp"}, paramKeys(got))
	assert.Empty(t, res.Records)

	_, err = f.Client.Account.PayoutStatement(context.Background(), &AccountPayoutStatementParams{
		CompleteDate: "2022-01-01", Page: 1, Status: StatementStatusFailed, RequestFields: RequestFields{Timestamp: 1679335338000},
	})
	require.NoError(t, err)
	assert.Equal(t, `{"completeDate":"2022-01-01","page":1,"status":"FAILED","timestamp":1679335338000}`, f.last().Env.Param)
}

func TestAccountPayoutStatementValidation(t *testing.T) {
	for _, tc := range statementValidationCases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", pathPayoutStatement, `{"records":[]}`)
			p := fullPayoutStatementParams()
			tc.mutate(&p.CreateDate, &p.CompleteDate, &p.Page, &p.Status)
			_, err := f.Client.Account.PayoutStatement(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}
}

func TestAccountPayoutStatementDecoding(t *testing.T) {
	data := `{"records":[
	 {"merchantOrderId":"P0001","transactionId":"D1656505190221611009","amount":"1500.50","fee":15,
	  "remittingBank":"Union Bank","remittingAccount":"915****5678","recipientName":"J*** D***",
	  "recipientAccount":"091****6789","receivingChannel":"GCASH","status":"Complete",
	  "createTime":"2024-07-19 14:14:47","completeTime":"2024-07-19T14:14:47+08:00"},
	 {"merchantOrderId":"P0002","transactionId":"D2","amount":"","fee":null,"status":"FAIL","createTime":1721369687000}
	]}`
	f := newFakeAPI(t)
	f.replyData("POST", pathPayoutStatement, data)
	res, err := f.Client.Account.PayoutStatement(context.Background(), fullPayoutStatementParams())
	require.NoError(t, err)
	require.Len(t, res.Records, 2)
	r := res.Records[0]
	assert.Equal(t, "P0001", r.MerchantOrderID)
	assert.Equal(t, "D1656505190221611009", r.TransactionID)
	assert.Equal(t, Amount(150050), r.Amount)
	assert.Equal(t, Amount(1500), r.Fee)
	assert.Equal(t, "Union Bank", r.RemittingBank)
	assert.Equal(t, "915****5678", r.RemittingAccount)
	assert.Equal(t, "J*** D***", r.RecipientName)
	assert.Equal(t, "091****6789", r.RecipientAccount)
	assert.Equal(t, "GCASH", r.ReceivingChannel)
	assert.Equal(t, TransactionStatusCompleted, r.Status)
	assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(r.CreateTime.Time))
	assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(r.CompleteTime.Time))
	assert.Contains(t, string(r.Raw), `"D1656505190221611009"`)

	r = res.Records[1]
	assert.Equal(t, Amount(0), r.Amount)
	assert.Equal(t, Amount(0), r.Fee)
	assert.Equal(t, TransactionStatusFailed, r.Status, "FAIL is decoded as FAILED")
	assert.True(t, phTimeOf(2024, 7, 19, 14, 14, 47).Equal(r.CreateTime.Time), "epoch milliseconds")
	assert.JSONEq(t, data, string(res.Raw))
}
