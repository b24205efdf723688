package paycools

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Forged flat callbacks: a captured genuine flat callback, altered without the
// secret or the platform key so that its signed string stays the same, must be refused, or,
// where the change is harmless, be the same event with the same key.

// flatForms are the two flat callback forms, each with a signer for a canonical string.
var flatForms = []struct {
	form NotificationForm
	sign func(t testing.TB, canonical string) string
}{
	{NotificationFormFlatSHA1, func(_ testing.TB, canonical string) string { return sha1Sign(canonical, "xxxxxxx") }},
	{NotificationFormFlatRSA, func(t testing.TB, canonical string) string {
		sum := sha256.Sum256([]byte(canonical))
		sig, err := rsa.SignPKCS1v15(rand.Reader, testPlatformKey(t), crypto.SHA256, sum[:])
		require.NoError(t, err)
		return base64.StdEncoding.EncodeToString(sig)
	}},
}

// signFlatFields returns the sign PayCools would put on a flat callback of fields.
func signFlatFields(t *testing.T, sign func(testing.TB, string) string, fields [][2]string) string {
	t.Helper()
	return sign(t, mustCanonical(t, flatCallback(fields, "x")))
}

// withFields is fields plus more members at the end.
func withFields(fields [][2]string, more ...[2]string) [][2]string {
	return append(append([][2]string(nil), fields...), more...)
}

// replaced is fields with name's value set to value, or name left out when value is "".
func replaced(fields [][2]string, name, value string) [][2]string {
	var out [][2]string
	for _, f := range fields {
		switch {
		case f[0] != name:
			out = append(out, f)
		case value != "":
			out = append(out, [2]string{name, value})
		}
	}
	return out
}

// flatRecorder is a NotificationHandler function that records what it was handed.
type flatRecorder struct {
	mu     sync.Mutex
	events []*Notification
}

func (r *flatRecorder) handle(_ context.Context, n *Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, n)
	return nil
}

func (r *flatRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// goldenDay is a clock of the day of the DOC 5.5 example, inside its replay window.
func goldenDay() time.Time { return phTimeOf(2022, 5, 31, 10, 0, 0) }

// clockedPHClient is a PH client whose clock, and its notification store's, is clock.
func clockedPHClient(t *testing.T, clock func() time.Time) *Client {
	t.Helper()
	store := NewMemoryNotificationStore(24 * time.Hour)
	store.now = clock
	c, _ := newPHClient(t, WithClock(clock), WithNotificationStore(store))
	return c
}

// A blanked id or status in a second spelling of its name: the canonical string drops "", so
// the sign still verifies, but the decode used to read the blank, the key changed and the
// function ran again for one payment.
func TestFlatForgedBlankIDDoesNotRunTwice(t *testing.T) {
	forgeries := map[string][][2]string{
		"blank transactionId":     {{"TransactionId", `""`}},
		"blank status":            {{"TransactionStatus", `""`}},
		"blank every id":          {{"TransactionId", `""`}, {"MCHORDERID", `null`}},
		"Unicode case fold (ſ=s)": {{"tran\u017factionStatus", `""`}},
		"blank, then re-spelled":  {{"transactionID", `null`}},
	}
	for _, ff := range flatForms {
		t.Run(ff.form.String(), func(t *testing.T) {
			c := clockedPHClient(t, goldenDay)
			rec := &flatRecorder{}
			h := c.NotificationHandler(rec.handle)
			sign := signFlatFields(t, ff.sign, qrSuccessFields)
			genuine := flatCallback(qrSuccessFields, sign)
			require.Equal(t, 200, serveCallback(h, "POST", genuine).Code)
			require.Equal(t, 1, rec.count())
			for name, extra := range forgeries {
				body := flatCallback(withFields(qrSuccessFields, extra...), sign)
				_, err := c.ParseNotification(body)
				var se *SignatureError
				require.ErrorAs(t, err, &se, name)
				assert.Contains(t, err.Error(), "ignoring case", name)
				assert.Equal(t, 401, serveCallback(h, "POST", body).Code, name)
			}
			assert.Equal(t, 1, rec.count(), "the function ran once for one payment")
		})
	}
}

// "Amount":null beside the signed amount: the function used to be handed 0.00.
func TestFlatForgedNullAmountRefused(t *testing.T) {
	for _, ff := range flatForms {
		t.Run(ff.form.String(), func(t *testing.T) {
			c := clockedPHClient(t, goldenDay)
			rec := &flatRecorder{}
			h := c.NotificationHandler(rec.handle)
			sign := signFlatFields(t, ff.sign, qrSuccessFields)
			for _, extra := range [][2]string{{"Amount", `null`}, {"AMOUNT", `""`}} {
				// The forgery arrives first (the genuine delivery is late, or was forgotten).
				body := flatCallback(withFields(qrSuccessFields, extra), sign)
				assert.Equal(t, 401, serveCallback(h, "POST", body).Code, extra[0])
			}
			assert.Zero(t, rec.count(), "no function call for a forged amount")
			require.Equal(t, 200, serveCallback(h, "POST", flatCallback(qrSuccessFields, sign)).Code)
			require.Equal(t, 1, rec.count())
			assert.Equal(t, Amount(503700), rec.events[0].Event.(*QRCodePaymentNotification).Amount)
		})
	}
}

// Null times in other spellings used to hide a 3-day-old event's own times from the replay
// window. Many spellings are added, as an attacker would: the old code picked one spelling per
// name at random, so with many the genuine time was almost never the one read.
func TestFlatForgedNullTimesKeepTheReplayWindow(t *testing.T) {
	var extra [][2]string
	for _, name := range []string{"createTime", "returnTime"} {
		for mask := 1; mask < 64; mask++ {
			b := []byte(name)
			for i := 0; i < 6; i++ {
				if mask&(1<<i) != 0 {
					b[i] ^= 'a' - 'A'
				}
			}
			extra = append(extra, [2]string{string(b), `null`})
		}
	}
	for _, ff := range flatForms {
		t.Run(ff.form.String(), func(t *testing.T) {
			threeDaysLater := func() time.Time { return goldenDay().Add(72 * time.Hour) }
			c := clockedPHClient(t, threeDaysLater)
			rec := &flatRecorder{}
			h := c.NotificationHandler(rec.handle)
			sign := signFlatFields(t, ff.sign, qrSuccessFields)
			assert.Equal(t, 401, serveCallback(h, "POST", flatCallback(qrSuccessFields, sign)).Code, "the genuine event is too old")
			forged := flatCallback(withFields(qrSuccessFields, extra...), sign)
			for range 5 {
				assert.Equal(t, 401, serveCallback(h, "POST", forged).Code)
			}
			assert.Zero(t, rec.count(), "a replayed 3-day-old event must not run the function")
		})
	}
}

// A member moved into the previous member's value gives a byte-identical signed string: the
// body without transactionId (or without transactionStatus) used to verify, key on another id
// and run the function a second time.
func TestFlatForgedMovedMemberRefused(t *testing.T) {
	movedID := replaced(replaced(qrSuccessFields, "transactionId", ""), "returnTime", `"2022-05-31 09:38:06&transactionId=C1032653961085706055"`)
	movedStatus := replaced(replaced(qrSuccessFields, "transactionStatus", ""), "transactionId", `"C1032653961085706055&transactionStatus=COMPLETE"`)
	for _, ff := range flatForms {
		t.Run(ff.form.String(), func(t *testing.T) {
			c := clockedPHClient(t, goldenDay)
			rec := &flatRecorder{}
			h := c.NotificationHandler(rec.handle)
			sign := signFlatFields(t, ff.sign, qrSuccessFields)
			require.Equal(t, 200, serveCallback(h, "POST", flatCallback(qrSuccessFields, sign)).Code)
			for name, fields := range map[string][][2]string{"transactionId moved": movedID, "transactionStatus moved": movedStatus} {
				body := flatCallback(fields, sign)
				require.Equal(t, mustCanonical(t, flatCallback(qrSuccessFields, "x")), mustCanonical(t, body), "the signed string is byte-identical")
				_, err := c.ParseNotification(body)
				var se *SignatureError
				require.ErrorAs(t, err, &se, name)
				assert.Contains(t, err.Error(), "ambiguous", name)
				assert.Equal(t, 401, serveCallback(h, "POST", body).Code, name)
			}
			assert.Equal(t, 1, rec.count(), "the function ran once for one payment")
		})
	}
}

// What the signature does not tell apart (member order, null or "" members it drops, a number
// sent as a string, string escapes) is accepted, and is the same event with the same key:
// Param, the typed event and NotificationKey hold only the signed members.
func TestFlatUnsignedDifferencesAreInvisible(t *testing.T) {
	reordered := append([][2]string(nil), qrSuccessFields...)
	reordered[0], reordered[8] = reordered[8], reordered[0]
	variants := map[string][][2]string{
		"members reordered":       reordered,
		"unsigned empty members":  withFields(qrSuccessFields, [2]string{"fee", `null`}, [2]string{"failedMessage", `""`}, [2]string{"sign2", `""`}),
		"amount sent as a string": replaced(qrSuccessFields, "amount", `"503700"`),
		"escaped string":          replaced(qrSuccessFields, "channelCode", `"\u0051RPH_STATIC_QR"`),
	}
	for _, ff := range flatForms {
		t.Run(ff.form.String(), func(t *testing.T) {
			c := clockedPHClient(t, goldenDay)
			rec := &flatRecorder{}
			h := c.NotificationHandler(rec.handle)
			sign := signFlatFields(t, ff.sign, qrSuccessFields)
			genuine, err := c.ParseNotification(flatCallback(qrSuccessFields, sign))
			require.NoError(t, err)
			require.Equal(t, 200, serveCallback(h, "POST", flatCallback(qrSuccessFields, sign)).Code)
			for name, fields := range variants {
				body := flatCallback(fields, sign)
				n, err := c.ParseNotification(body)
				require.NoError(t, err, name)
				assert.Equal(t, string(genuine.Param), string(n.Param), name)
				assert.NotContains(t, string(n.Param), "sign", name)
				assert.True(t, reflect.DeepEqual(genuine.Event, n.Event), "%s: %+v", name, n.Event)
				assert.Equal(t, NotificationKey(genuine), NotificationKey(n), name)
				assert.Equal(t, 200, serveCallback(h, "POST", body).Code, name)
			}
			assert.Equal(t, 1, rec.count(), "redeliveries are acknowledged without running the function")
		})
	}
}

// A repayment question is keyed on its verified content: an unsigned null member used to
// change the key, and the function was asked (and accepted the same payment) twice. Asked
// again, the question gets the stored decision without the function.
func TestFlatRepaymentQuestionNotAcceptedTwice(t *testing.T) {
	q := [][2]string{{"eventName", `"payment.verification"`}, {"mchOrderId", `"CCVA1653350151938813"`}, {"referenceNumber", `"PCLAC1000000001"`},
		{"amount", `503700`}, {"mobile", `"0912345678"`}, {"createTime", `"2022-05-31 09:38:06"`}}
	for _, ff := range flatForms {
		t.Run(ff.form.String(), func(t *testing.T) {
			c := clockedPHClient(t, goldenDay)
			var mu sync.Mutex
			asked := 0
			h := c.RepaymentVerificationHandler(func(context.Context, *RepaymentVerification) (bool, error) {
				mu.Lock()
				defer mu.Unlock()
				asked++
				return true, nil
			})
			sign := signFlatFields(t, ff.sign, q)
			rec := serveCallback(h, "POST", flatCallback(q, sign))
			require.Equal(t, 200, rec.Code)
			require.JSONEq(t, `{"code":2000,"msg":"Success"}`, rec.Body.String())
			rec = serveCallback(h, "POST", flatCallback(withFields(q, [2]string{"remark", `null`}), sign))
			assert.Equal(t, 200, rec.Code)
			assert.JSONEq(t, `{"code":2000,"msg":"Success"}`, rec.Body.String(), "asked again: the stored decision")
			rec = serveCallback(h, "POST", flatCallback(withFields(q, [2]string{"Amount", `null`}), sign))
			assert.Equal(t, 401, rec.Code)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, 1, asked)
		})
	}
}

// A signed string that could be read as other members is refused even when PayCools signed
// it, because a forgery with the same string cannot be told from it; values with & or = that
// cannot split a member (a URL's query, a name sorting before the member's own) are accepted.
func TestFlatAmbiguousSignedStringRefused(t *testing.T) {
	c := clockedPHClient(t, goldenDay)
	base := qrSuccessFields[:5] // eventName, mchOrderId, transactionId, channelCode, amount
	for _, tc := range []struct {
		name   string
		fields [][2]string
		ok     bool
	}{
		{"value splits into a later name", withFields(base, [2]string{"remark", `"x&transactionStatus=COMPLETE"`}), false},
		{"value splits after other text", withFields(base, [2]string{"remark", `"a&b&zz=1"`}), false},
		{"name holds =", withFields(base, [2]string{"a=b", `"1"`}), false},
		{"name holds &", withFields(base, [2]string{"a&b", `"1"`}), false},
		{"URL with a query", withFields(base, [2]string{"remark", `"https://m.test/n?a=1&b=2"`}), true},
		{"& without =", withFields(base, [2]string{"remark", `"Tom & Jerry"`}), true},
		{"name sorting before", withFields(base, [2]string{"remark", `"x&Z=1"`}), true},
		{"name in a dropped member", withFields(base, [2]string{"a=b", `null`}), true},
	} {
		for _, ff := range flatForms {
			body := flatCallback(tc.fields, signFlatFields(t, ff.sign, tc.fields))
			_, err := c.ParseNotification(body)
			if tc.ok {
				assert.NoError(t, err, "%s %s", tc.name, ff.form)
				continue
			}
			var se *SignatureError
			assert.ErrorAs(t, err, &se, "%s %s", tc.name, ff.form)
		}
	}
}

// An envelope's RSA signature covers param's exact bytes; a flat RSA body whose signed string
// is those bytes (param cut at its first = into one member's name and value) used to verify
// with it, and ran the function with an event of no name.
func TestEnvelopeSignatureNotPassedOffAsFlat(t *testing.T) {
	param := `{"eventName":"qrcode.payment.success","transactionId":"T9","amount":100,"transactionStatus":"COMPLETED","remark":"a=b"}`
	var env struct{ Sign string }
	require.NoError(t, json.Unmarshal(signedCallback(t, param), &env))
	name, value, _ := strings.Cut(param, "=")
	body := flatCallback([][2]string{{name, string(mustJSONString(value))}}, env.Sign)
	require.Equal(t, param, mustCanonical(t, body), "the flat string is the envelope's param")

	c := clockedPHClient(t, goldenDay)
	rec := &flatRecorder{}
	h := c.NotificationHandler(rec.handle)
	_, err := c.ParseNotification(body)
	var se *SignatureError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 401, serveCallback(h, "POST", body).Code)
	assert.Zero(t, rec.count())
}

// A flat body's Param holds the signed texts with their JSON kind chosen by the text alone,
// and the typed decode reads them as PayCools sent them: a numeric order id stays a string
// field's text, a string amount an Amount.
func TestFlatParamIsTheSignedMembers(t *testing.T) {
	q := [][2]string{{"eventName", `"payment.verification"`}, {"mchOrderId", `"20220531001"`}, {"referenceNumber", `"1234567890"`},
		{"amount", `"503700"`}, {"mobile", `"0912345678"`}, {"createTime", `"2022-05-31 09:38:06"`}, {"appId", `"` + testAppID + `"`}, {"note", `""`}}
	c := clockedPHClient(t, goldenDay)
	for _, ff := range flatForms {
		n, err := c.ParseNotification(flatCallback(q, signFlatFields(t, ff.sign, q)))
		require.NoError(t, err, ff.form)
		assert.Equal(t, `{"amount":503700,"appId":"`+testAppID+`","createTime":"2022-05-31 09:38:06","eventName":"payment.verification",`+
			`"mchOrderId":20220531001,"mobile":"0912345678","referenceNumber":1234567890}`, string(n.Param), ff.form)
		assert.Equal(t, testAppID, n.AppID)
		assert.Empty(t, n.Unreadable)
		v := n.Event.(*RepaymentVerification)
		assert.Equal(t, "20220531001", v.MchOrderID)
		assert.Equal(t, "1234567890", v.ReferenceNumber)
		assert.Equal(t, Amount(503700), v.Amount)
		assert.Equal(t, "0912345678", v.Mobile)
		assert.Equal(t, string(n.Param), string(v.Raw))
	}
}

// The envelope signs param's exact bytes, but the decode reads param's names ignoring case,
// the last one winning (and the replay window took one at random): a param that repeats a name
// ignoring case has two readings, and is refused although it verifies.
func TestEnvelopeParamRepeatingANameRefused(t *testing.T) {
	for _, param := range []string{
		`{"eventName":"qrcode.payment.success","transactionId":"T1","TransactionId":"T2","amount":100,"transactionStatus":"COMPLETED"}`,
		`{"eventName":"qrcode.payment.success","transactionId":"T1","amount":100,"amount":0,"transactionStatus":"COMPLETED"}`,
	} {
		c := newFakeAPI(t).Client
		rec := &flatRecorder{}
		h := c.NotificationHandler(rec.handle)
		body := signedCallback(t, param)
		_, err := c.ParseNotification(body)
		var se *SignatureError
		require.ErrorAs(t, err, &se, param)
		assert.Contains(t, err.Error(), "ignoring case")
		assert.Equal(t, 400, serveCallback(h, "POST", body).Code, param)
		assert.Zero(t, rec.count())
	}
}

// regroup builds another body whose signed string is canonical: the string cut at the &
// that the bits of choice select (all of them when choice runs out), each piece a member
// named up to its first =, each text sent as a JSON string or, when a bit says so and it is
// a JSON value, as that value; and, when a bit says so, the first name again in upper case
// with null. It is how a forger who knows only the signed string would rebuild a body.
func regroup(canonical string, choice []byte) []byte {
	bit := 0
	next := func() bool {
		i := bit
		bit++
		return i/8 >= len(choice) || choice[i/8]&(1<<(i%8)) != 0
	}
	var pieces []string
	start := 0
	for i := 0; i < len(canonical); i++ {
		if canonical[i] == '&' && next() {
			pieces = append(pieces, canonical[start:i])
			start = i + 1
		}
	}
	pieces = append(pieces, canonical[start:])
	var fields [][2]string
	for _, p := range pieces {
		name, text, ok := strings.Cut(p, "=")
		if !ok {
			return nil
		}
		value := string(mustJSONString(text))
		if next() && json.Valid([]byte(text)) {
			value = text
		}
		fields = append(fields, [2]string{name, value})
	}
	if len(fields) > 0 && next() {
		fields = append(fields, [2]string{strings.ToUpper(fields[0][0]), `null`})
	}
	return flatCallback(fields, "x")
}

// repeatsName finds a repeated name ignoring case without decoding plain params, and agrees
// with parseFlatObject on everything else.
func TestRepeatsName(t *testing.T) {
	var many, manyDup strings.Builder
	many.WriteString(`{"n0":0`)
	for i := 1; i < 40; i++ {
		many.WriteString(`, "n` + itoa(i) + `" : "v"`)
	}
	manyDup.WriteString(many.String() + `,"N0":1}`)
	many.WriteString(`}`)
	for body, want := range map[string]bool{
		`{"a":1,"A":2}`: true,
		` { "amount" : 1 , "b" : [1,"amount"] , "AMOUNT" : null } `: true,
		`{"k":1,"K":2}`:                true, // the Kelvin sign folds to k
		`{"s":1,"ſ":2}`:                true, // so does the long s to s
		`{"a":{"a":1,"A":2},"b":"A"}`:  false,
		`{"a":"x"A":1","b":[{"A":1}]}`: false,
		`{}`:                           false,
		many.String():                  false,
		manyDup.String():               true,
		`{"a":1,"A":}`:                 true, // the repeat comes before the error
		`{"a":1,"b":}`:                 false,
	} {
		assert.Equal(t, want, repeatsName([]byte(body)), body)
	}
}

// FuzzFlatOneSignature: two bodies accepted under one signature are the same event with the
// same key. The signature of body a (SHA-1 with the secret) is put on a, on b, and on a body
// regrouped from a's signed string as b's bytes choose; when the client accepts two of them,
// their Param, typed event, event time and NotificationKey must agree.
func FuzzFlatOneSignature(f *testing.F) {
	genuine := flatCallback(qrSuccessFields, "x")
	for _, other := range [][][2]string{
		withFields(qrSuccessFields, [2]string{"TransactionId", `""`}),
		withFields(qrSuccessFields, [2]string{"Amount", `null`}),
		withFields(qrSuccessFields, [2]string{"CreateTime", `null`}, [2]string{"ReturnTime", `null`}),
		replaced(replaced(qrSuccessFields, "transactionId", ""), "returnTime", `"2022-05-31 09:38:06&transactionId=C1032653961085706055"`),
		replaced(qrSuccessFields, "amount", `"503700"`),
		withFields(qrSuccessFields, [2]string{"fee", `null`}),
	} {
		f.Add(genuine, flatCallback(other, "x"))
	}
	f.Add([]byte(`{"a":"1&b=2"}`), []byte(`{"a":"1","b":"2"}`))
	f.Add([]byte(`{"a":"{}"}`), []byte(`{"a":{}}`))
	c, _ := newPHClient(f, WithClock(goldenDay), WithNotificationStore(nil))
	resign := func(body []byte, sign string) ([]byte, bool) {
		pairs, err := parseFlatObject(body)
		if err != nil {
			return nil, false
		}
		var fields [][2]string
		for _, p := range pairs {
			if p.name != "sign" {
				fields = append(fields, [2]string{p.name, string(p.raw)})
			}
		}
		return flatCallback(fields, sign), true
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		canonical, err := CanonicalFlatString(a)
		if err != nil {
			return
		}
		sign := sha1Sign(canonical, "xxxxxxx")
		bodyA, okA := resign(a, sign)
		if !okA {
			return
		}
		na, errA := c.ParseNotification(bodyA)
		if errA != nil {
			return
		}
		for _, other := range [][]byte{b, regroup(canonical, b)} {
			if bodyB, ok := resign(other, sign); ok {
				if nb, err := c.ParseNotification(bodyB); err == nil {
					sameEvent(t, bodyA, bodyB, na, nb)
				}
			}
		}
	})
}

// sameEvent fails unless two notifications accepted under one signature agree in every part
// that the handler and the merchant's function read.
func sameEvent(t *testing.T, bodyA, bodyB []byte, na, nb *Notification) {
	t.Helper()
	if string(na.Param) != string(nb.Param) || na.EventName != nb.EventName || na.AppID != nb.AppID || !reflect.DeepEqual(na.Event, nb.Event) {
		t.Fatalf("one signature, two events:\n%s → %s\n%s → %s", bodyA, na.Param, bodyB, nb.Param)
	}
	if ka, kb := NotificationKey(na), NotificationKey(nb); ka != kb {
		t.Fatalf("one signature, two keys %q and %q:\n%s\n%s", ka, kb, bodyA, bodyB)
	}
	ta, oka := eventTime(na.Param)
	tb, okb := eventTime(nb.Param)
	if oka != okb || !ta.Equal(tb) {
		t.Fatalf("one signature, two event times %v and %v:\n%s\n%s", ta, tb, bodyA, bodyB)
	}
}
