package paycools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	ekycPathInit  = "/open-api/ekyc/init"
	ekycPathQuery = "/open-api/ekyc/query"
)

func ekycInitParams() *EKYCInitParams {
	return &EKYCInitParams{
		RequestID:   "EKYC20240912000001",
		UserID:      "u0009",
		ChannelCode: "EXAMPLE_EKYC_CHANNEL",
		NotifyURL:   "https://merchant.example.com/paycools/ekyc/notify",
		RedirectURL: "https://merchant.example.com/kyc/done",
	}
}

func TestEKYCInit(t *testing.T) {
	f := newFakeAPI(t)
	data := `{"requestId":"EKYC20240912000001","userId":"u0009","channelCode":"EXAMPLE_EKYC_CHANNEL","ekycUrl":"https://kyc.example/s/abc?x=1&y=2","sessionTtl":600}`
	f.replyData("POST", ekycPathInit, data)
	p := ekycInitParams()
	p.Timestamp = 1726139239000
	res, err := f.Client.EKYC.Init(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, ekycPathInit, got.Path)
	assert.Equal(t, sortedNames("requestId", "userId", "channelCode", "notifyUrl", "redirectUrl", "timestamp"), paramKeys(got))
	assert.JSONEq(t, `{"requestId":"EKYC20240912000001","userId":"u0009","channelCode":"EXAMPLE_EKYC_CHANNEL","notifyUrl":"https://merchant.example.com/paycools/ekyc/notify","redirectUrl":"https://merchant.example.com/kyc/done","timestamp":1726139239000}`, got.Env.Param)
	assert.Equal(t, "EKYC20240912000001", res.RequestID)
	assert.Equal(t, "u0009", res.UserID)
	assert.Equal(t, "EXAMPLE_EKYC_CHANNEL", res.ChannelCode)
	assert.Equal(t, "https://kyc.example/s/abc?x=1&y=2", res.EKYCURL)
	assert.JSONEq(t, data, string(res.Raw))
}

func TestEKYCInitURLFallbacks(t *testing.T) {
	cases := map[string]string{
		`{"ekycUrl":"https://a.example/1","url":"https://b.example/2","authUrl":"https://c.example/3"}`: "https://a.example/1",
		`{"ekycUrl":"","url":"https://b.example/2","authUrl":"https://c.example/3"}`:                    "https://b.example/2",
		`{"URL":"https://b.example/2","authUrl":"https://c.example/3"}`:                                 "https://b.example/2",
		`{"authUrl":"https://c.example/3"}`:                                                             "https://c.example/3",
		`{"ekycurl":"https://a.example/lower"}`:                                                         "https://a.example/lower",
		`{"requestId":"R1"}`:                                                                            "",
	}
	for data, want := range cases {
		f := newFakeAPI(t)
		f.replyData("POST", ekycPathInit, data)
		res, err := f.Client.EKYC.Init(context.Background(), ekycInitParams())
		require.NoError(t, err, data)
		assert.Equal(t, want, res.EKYCURL, data)
		assert.JSONEq(t, data, string(res.Raw))
	}
}

func TestEKYCInitTolerantFields(t *testing.T) {
	// A number where a string is expected, and a field of the wrong type: the rest survives.
	f := newFakeAPI(t)
	f.replyData("POST", ekycPathInit, `{"requestId":12345,"userId":["x"],"channelCode":"C1","url":"https://b.example/2"}`)
	res, err := f.Client.EKYC.Init(context.Background(), ekycInitParams())
	require.NoError(t, err)
	assert.Equal(t, "12345", res.RequestID)
	assert.Equal(t, "", res.UserID)
	assert.Equal(t, "C1", res.ChannelCode)
	assert.Equal(t, "https://b.example/2", res.EKYCURL)
}

func TestEKYCInitValidation(t *testing.T) {
	cases := []struct {
		name, field string
		mut         func(p *EKYCInitParams)
	}{
		{"requestId missing", "requestId", func(p *EKYCInitParams) { p.RequestID = "" }},
		{"requestId too long", "requestId", func(p *EKYCInitParams) { p.RequestID = strings.Repeat("r", 33) }},
		{"userId missing", "userId", func(p *EKYCInitParams) { p.UserID = "" }},
		{"userId too long", "userId", func(p *EKYCInitParams) { p.UserID = strings.Repeat("u", 33) }},
		{"channelCode missing", "channelCode", func(p *EKYCInitParams) { p.ChannelCode = "" }},
		{"notifyUrl missing", "notifyUrl", func(p *EKYCInitParams) { p.NotifyURL = "" }},
		{"notifyUrl not a URL", "notifyUrl", func(p *EKYCInitParams) { p.NotifyURL = "notify" }},
		{"notifyUrl too long", "notifyUrl", func(p *EKYCInitParams) { p.NotifyURL = "https://m.example/" + strings.Repeat("n", 239) }},
		{"redirectUrl missing", "redirectUrl", func(p *EKYCInitParams) { p.RedirectURL = "" }},
		{"redirectUrl not a URL", "redirectUrl", func(p *EKYCInitParams) { p.RedirectURL = "mailto:a@b.c" }},
		{"redirectUrl too long", "redirectUrl", func(p *EKYCInitParams) { p.RedirectURL = "https://m.example/" + strings.Repeat("r", 495) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", ekycPathInit, `{}`)
			p := ekycInitParams()
			tc.mut(p)
			_, err := f.Client.EKYC.Init(context.Background(), p)
			requireInvalid(t, f, err, tc.field)
		})
	}
	t.Run("nil params", func(t *testing.T) {
		f := newFakeAPI(t)
		_, err := f.Client.EKYC.Init(context.Background(), nil)
		requireInvalid(t, f, err, "params")
	})
}

func TestEKYCInitExtra(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ekycPathInit, `{}`)
	p := ekycInitParams()
	p.Extra = map[string]any{"countryCode": "PH", "terminalType": "WAP", "channelCode": "REAL_CHANNEL"}
	_, err := f.Client.EKYC.Init(context.Background(), p)
	requireExtraRefused(t, f, err, "channelCode")
	p.Extra = map[string]any{"countryCode": "PH", "terminalType": "WAP"}
	_, err = f.Client.EKYC.Init(context.Background(), p)
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "PH", got.Param["countryCode"])
	assert.Equal(t, "WAP", got.Param["terminalType"])
	assert.Equal(t, json.Number("1726139239000"), got.Param["timestamp"])
}

func TestEKYCGetResult(t *testing.T) {
	f := newFakeAPI(t)
	data := `{"requestId":"EKYC20240912000001","userId":"u0009","channelCode":"EXAMPLE_EKYC_CHANNEL","kycStatus":"Rejected","failedCode":"-10002","failedMessage":"ID photo unreadable","createTime":"2024-07-19 14:14:47","updateTime":"2024-07-19T14:14:47+08:00"}`
	f.replyData("POST", ekycPathQuery, data)
	res, err := f.Client.EKYC.GetResult(context.Background(), &EKYCResultGetParams{RequestID: "EKYC20240912000001", UserID: "u0009"})
	require.NoError(t, err)
	got := f.last()
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, ekycPathQuery, got.Path)
	assert.Equal(t, sortedNames("requestId", "userId", "timestamp"), paramKeys(got))
	assert.Equal(t, "EKYC20240912000001", res.RequestID)
	assert.Equal(t, "u0009", res.UserID)
	assert.Equal(t, "EXAMPLE_EKYC_CHANNEL", res.ChannelCode)
	assert.Equal(t, EKYCStatusRejected, res.KYCStatus)
	assert.True(t, res.KYCStatus.Final())
	assert.Equal(t, FailedCodeParams, res.FailedCode, "integer sent as a string")
	assert.Equal(t, "ID photo unreadable", res.FailedMessage)
	want := phTimeOf(2024, 7, 19, 14, 14, 47)
	assert.True(t, res.CreateTime.Equal(want), "%v", res.CreateTime)
	assert.True(t, res.UpdateTime.Equal(want), "%v", res.UpdateTime)
	assert.JSONEq(t, data, string(res.Raw))
}

func TestEKYCGetResultOptionalUserID(t *testing.T) {
	f := newFakeAPI(t)
	f.replyData("POST", ekycPathQuery, `{"requestId":"R1","kycStatus":"PENDING"}`)
	res, err := f.Client.EKYC.GetResult(context.Background(), &EKYCResultGetParams{RequestID: "R1", RequestFields: RequestFields{Extra: map[string]any{"countryCode": "PH"}}})
	require.NoError(t, err)
	assert.Equal(t, sortedNames("requestId", "timestamp", "countryCode"), paramKeys(f.last()))
	assert.Equal(t, EKYCStatusPending, res.KYCStatus)
	assert.False(t, res.KYCStatus.Final())
}

func TestEKYCGetResultStatusFallbacks(t *testing.T) {
	cases := map[string]EKYCStatus{
		`{"kycStatus":"APPROVED","ekycStatus":"REJECTED","status":"EXPIRED"}`: EKYCStatusApproved,
		`{"kycStatus":"","ekycStatus":"success","status":"EXPIRED"}`:          EKYCStatusApproved,
		`{"ekycStatus":"FAILED"}`:   EKYCStatusRejected,
		`{"status":"expired"}`:      EKYCStatusExpired,
		`{"Status":"COMPLETED"}`:    EKYCStatusApproved,
		`{"kycstatus":"Approved"}`:  EKYCStatusApproved,
		`{"status":"UNDER_REVIEW"}`: "UNDER_REVIEW",
		`{"requestId":"R1"}`:        "",
	}
	for data, want := range cases {
		f := newFakeAPI(t)
		f.replyData("POST", ekycPathQuery, data)
		res, err := f.Client.EKYC.GetResult(context.Background(), &EKYCResultGetParams{RequestID: "R1"})
		require.NoError(t, err, data)
		assert.Equal(t, want, res.KYCStatus, data)
	}
}

func TestEKYCGetResultValidation(t *testing.T) {
	cases := []struct {
		name, field string
		p           *EKYCResultGetParams
	}{
		{"requestId missing", "requestId", &EKYCResultGetParams{UserID: "u1"}},
		{"requestId too long", "requestId", &EKYCResultGetParams{RequestID: strings.Repeat("r", 33)}},
		{"userId too long", "userId", &EKYCResultGetParams{RequestID: "R1", UserID: strings.Repeat("u", 33)}},
		{"nil", "params", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.replyData("POST", ekycPathQuery, `{}`)
			_, err := f.Client.EKYC.GetResult(context.Background(), tc.p)
			requireInvalid(t, f, err, tc.field)
		})
	}
}

func TestEKYCStatusDecoding(t *testing.T) {
	cases := map[string]EKYCStatus{
		`"PENDING"`: EKYCStatusPending, `"processing"`: EKYCStatusProcessing, `"Approved"`: EKYCStatusApproved,
		`"SUCCESS"`: EKYCStatusApproved, `"completed"`: EKYCStatusApproved, `"REJECTED"`: EKYCStatusRejected,
		`"Failed"`: EKYCStatusRejected, `"EXPIRED"`: EKYCStatusExpired, `"MANUAL"`: "MANUAL",
	}
	for in, want := range cases {
		var s EKYCStatus
		require.NoError(t, json.Unmarshal([]byte(in), &s), in)
		assert.Equal(t, want, s, in)
	}
	for s, want := range map[EKYCStatus]bool{
		EKYCStatusPending: false, EKYCStatusProcessing: false, EKYCStatusApproved: true,
		EKYCStatusRejected: true, EKYCStatusExpired: true, "MANUAL": false,
	} {
		assert.Equal(t, want, s.Final(), string(s))
	}
}

func TestEKYCWaitResult(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", ekycPathQuery,
		okData(`{"requestId":"R1","kycStatus":"PENDING"}`),
		okData(`{"requestId":"R1","kycStatus":"PENDING"}`),
		okData(`{"requestId":"R1","kycStatus":"PROCESSING"}`),
		okData(`{"requestId":"R1","kycStatus":"Approved","updateTime":"2024-07-19 14:14:47"}`),
		okData(`{"requestId":"R1","kycStatus":"REJECTED"}`), // never reached
	)
	res, err := f.Client.EKYC.WaitResult(context.Background(), &EKYCResultGetParams{RequestID: "R1"})
	require.NoError(t, err)
	assert.Equal(t, int32(4), calls.Load())
	assert.Equal(t, EKYCStatusApproved, res.KYCStatus)
	assert.False(t, res.UpdateTime.IsZero())
}

func TestEKYCWaitResultContextEnds(t *testing.T) {
	f := newFakeAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := f.scriptHook("POST", ekycPathQuery, cancelOn(3, cancel), okData(`{"requestId":"R1","kycStatus":"PROCESSING"}`))
	res, err := f.Client.EKYC.WaitResult(ctx, &EKYCResultGetParams{RequestID: "R1"})
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res)
	assert.Equal(t, EKYCStatusProcessing, res.KYCStatus)
	assert.Equal(t, int32(3), calls.Load())
}

func TestEKYCNotifications(t *testing.T) {
	f := newFakeAPI(t)
	cases := []struct {
		name, param string
		want        EKYCStatus
	}{
		{EventEKYCSuccess, `{"eventName":"ekyc.success","requestId":"EKYC20240912000001","userId":"u0009","channelCode":"EXAMPLE_EKYC_CHANNEL","kycStatus":"APPROVED","updateTime":"2024-07-19 14:14:47"}`, EKYCStatusApproved},
		{EventEKYCFailed, `{"eventName":"ekyc.failed","requestId":"EKYC20240912000001","userId":"u0009","channelCode":"EXAMPLE_EKYC_CHANNEL","ekycStatus":"failed","failedCode":"-10002","failedMessage":"selfie mismatch","updateTime":"2024-07-19T14:14:47+08:00"}`, EKYCStatusRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := f.Client.ParseNotification(signedCallback(t, tc.param))
			require.NoError(t, err)
			ev, ok := n.Event.(*EKYCNotification)
			require.True(t, ok, "event type %T", n.Event)
			assert.Equal(t, tc.name, ev.EventName)
			assert.Equal(t, "EKYC20240912000001", ev.RequestID)
			assert.Equal(t, "u0009", ev.UserID)
			assert.Equal(t, "EXAMPLE_EKYC_CHANNEL", ev.ChannelCode)
			assert.Equal(t, tc.want, ev.KYCStatus)
			assert.True(t, ev.UpdateTime.Equal(phTimeOf(2024, 7, 19, 14, 14, 47)))
			assert.Equal(t, tc.param, string(ev.Raw))
		})
	}
	t.Run("failure fields", func(t *testing.T) {
		n, err := f.Client.ParseNotification(signedCallback(t, cases[1].param))
		require.NoError(t, err)
		ev := n.Event.(*EKYCNotification)
		assert.Equal(t, FailedCodeParams, ev.FailedCode)
		assert.Equal(t, "selfie mismatch", ev.FailedMessage)
	})
	t.Run("J&T wallet KYC stays unknown", func(t *testing.T) {
		param := `{"eventName":"wallet.user.kyc.approved","userId":"u0009","accountNo":"0917","kycStatus":"Approved","updateTime":"2024-07-19 14:14:47"}`
		n, err := f.Client.ParseNotification(signedCallback(t, param))
		require.NoError(t, err)
		assert.Nil(t, n.Event)
		assert.Equal(t, param, string(n.Param))
	})
}
